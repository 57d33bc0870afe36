// Clerk lookup: instant search with filters, the full card, copy-to-clipboard. Keyboard: / to search, ↑↓ Enter.
(function () {
  "use strict";
  var q = document.getElementById("cq"), level = document.getElementById("level"), field = document.getElementById("field"),
    agency = document.getElementById("agency"), results = document.getElementById("results"), card = document.getElementById("card"),
    count = document.getElementById("count");
  var items = [], active = -1, timer = null, current = null;
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; }

  fetch("/api/procedures/facets").then(function (r) { return r.json(); }).then(function (f) {
    f.fields.forEach(function (x) { var o = el("option", null, x); o.value = x; field.appendChild(o); });
    f.agencies.forEach(function (x) { var o = el("option", null, x); o.value = x; agency.appendChild(o); });
  });

  function search() {
    var params = new URLSearchParams({q: q.value, level: level.value, field: field.value, agency: agency.value, k: "25"});
    fetch("/api/procedures?" + params).then(function (r) { return r.json(); }).then(function (res) {
      results.textContent = ""; items = res.results || []; active = -1;
      count.textContent = items.length ? items.length + " kết quả" : "Không có kết quả.";
      items.forEach(function (it, i) {  // a list of buttons (not a listbox): ↑↓ move between them, Enter opens
        var li = el("li"), b = el("button", "hit"); b.type = "button";
        b.appendChild(el("span", "code", it.procedure_id)); b.appendChild(el("span", "title", it.title));
        b.appendChild(el("span", "meta", it.level + " · " + it.field));
        b.onclick = function () { open(it.procedure_id); select(i); };
        li.appendChild(b); results.appendChild(li);
      });
    });
  }
  function select(i) {
    var hits = results.querySelectorAll(".hit"); if (!hits.length) return;
    active = (i + hits.length) % hits.length;
    hits.forEach(function (h, j) { h.classList.toggle("active", j === active); });
    hits[active].focus();
  }
  function section(title, node) { var s = el("section"); s.appendChild(el("h3", null, title)); s.appendChild(node); return s; }
  function lines(arr) { var ul = el("ul"); arr.forEach(function (x) { ul.appendChild(el("li", null, x)); }); return ul; }
  function asText(c) {
    var out = [c.title + " [" + c.code + "]"];
    out.push("Cấp: " + c.level_labels.join(", ") + (c.field ? " · Lĩnh vực: " + c.field : ""));
    out.push("", "Hồ sơ:"); c.documents.forEach(function (d) { out.push("- " + d.name + (d.quantity ? " (" + d.quantity + ")" : "")); });
    out.push("", "Cách thức, thời hạn, phí:"); c.channels.forEach(function (ch) { out.push("- " + ch.channel + ": " + (ch.time || "—") + "; " + (ch.fee || "—")); });
    out.push("", "Căn cứ pháp lý:"); c.legal_basis.forEach(function (r) { out.push("- " + (r.number ? r.number + " " : "") + r.title + (r.article ? " (" + r.article + ")" : "")); });
    out.push("", "Nguồn: " + c.url);
    return out.join("\n");
  }
  function open(code) {
    fetch("/api/procedures/" + encodeURIComponent(code)).then(function (r) { return r.json(); }).then(function (c) {
      if (c.kind === "guide") { c.sections = {"Nội dung": c.body}; }
      ["documents", "channels", "legal_basis", "level_labels"].forEach(function (k) { c[k] = c[k] || []; });
      current = c; card.textContent = "";
      card.appendChild(el("h2", null, c.title));
      card.appendChild(el("p", "muted", c.code + " · " + (c.level_labels || []).join(", ") + " · " + c.field + " · " + c.agency));
      var copy = el("button", "copy", "📋 Sao chép thẻ thủ tục"); copy.type = "button"; copy.id = "copy";
      copy.onclick = function () {
        var text = asText(current);
        (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(function () { copy.textContent = "✓ Đã sao chép"; },
          function () { var ta = el("textarea"); ta.value = text; document.body.appendChild(ta); ta.select(); document.execCommand("copy"); ta.remove(); copy.textContent = "✓ Đã sao chép"; });
      };
      card.appendChild(copy);
      card.appendChild(section("Thành phần hồ sơ", lines(c.documents.map(function (d) { return (d.group ? "[" + d.group + "] " : "") + d.name + (d.quantity ? " — " + d.quantity : "") + (d.form ? " — mẫu: " + d.form : ""); }))));
      card.appendChild(section("Cách thức thực hiện, thời hạn, phí", lines(c.channels.map(function (ch) { return ch.channel + ": thời hạn " + (ch.time || "—") + "; phí: " + (ch.fee || "—") + (ch.note ? " — " + ch.note : ""); }))));
      card.appendChild(section("Căn cứ pháp lý", lines(c.legal_basis.map(function (r) { return (r.number ? r.number + " — " : "") + r.title + (r.article ? " (" + r.article + ")" : ""); }))));
      if (c.applicants) card.appendChild(section("Đối tượng thực hiện", el("p", null, c.applicants)));
      if (c.result) card.appendChild(section("Kết quả", el("p", null, c.result)));
      Object.keys(c.sections || {}).forEach(function (k) { card.appendChild(section(k === "trinh-tu" ? "Trình tự thực hiện" : k === "yeu-cau" ? "Yêu cầu, điều kiện" : k, el("p", "pre", c.sections[k]))); });
      var link = el("a", null, "Trang chính thức trên Cổng Dịch vụ công"); link.href = c.url; link.target = "_blank"; link.rel = "noopener noreferrer";
      card.appendChild(section("Nguồn", link));
    });
  }
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
  [level, field, agency].forEach(function (s) { s.addEventListener("change", search); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== q) { e.preventDefault(); q.focus(); q.select(); }
    else if (e.key === "ArrowDown") { e.preventDefault(); select(active + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); select(active - 1); }
    else if (e.key === "Enter" && document.activeElement === q && items.length) { e.preventDefault(); open(items[0].procedure_id); select(0); }
  });
  search(); q.focus();
})();
