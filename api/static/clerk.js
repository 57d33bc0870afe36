// Clerk lookup at the counter: search by name or code with strict filters, the citizen summary first, the official
// text below (collapsed), and a short message to paste. Keys: / search · ↓↑ results · Enter open · c copy · Esc back.
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  var q = $("cq"), level = $("level"), field = $("field"), fieldList = $("fields"), agency = $("agency"),
    results = $("results"), card = $("card"), count = $("count");
  var K = 25, UNITLESS = " (Cổng DVC không ghi đơn vị)";
  var SECTIONS = {"trinh-tu": "Trình tự thực hiện", "cach-thuc": "Cách thức thực hiện", "ho-so": "Thành phần hồ sơ",
    "doi-tuong": "Đối tượng thực hiện", "co-quan": "Cơ quan thực hiện", "yeu-cau": "Yêu cầu, điều kiện",
    "ket-qua": "Kết quả", "can-cu": "Căn cứ pháp lý", "ghi-chu": "Ghi chú"};
  var items = [], active = -1, timer = null, seq = 0, shown = null, current = null;
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; }
  function json(r) { if (!r.ok) throw new Error(r.status); return r.json(); }

  fetch("/api/procedures/facets").then(json).then(function (f) {
    f.fields.forEach(function (x) { var o = el("option"); o.value = x; fieldList.appendChild(o); });
    f.agencies.forEach(function (x) { var o = el("option", null, x); o.value = x; agency.appendChild(o); });
  });

  // ---- search: the results shown always belong to what the filters say now
  function state() { return [q.value.trim(), level.value, field.value.trim(), agency.value].join("\u0001"); }
  function search() {
    clearTimeout(timer);
    var mine = ++seq, key = state();
    var params = new URLSearchParams({q: q.value, level: level.value, field: field.value.trim(), agency: agency.value, k: String(K)});
    return fetch("/api/procedures?" + params).then(json).then(function (res) { if (mine === seq) { show(res.results || []); shown = key; } },
      function () { if (mine === seq) count.textContent = "Không tìm được (mạng hoặc máy chủ bận); gõ lại để thử lại."; });
  }
  function ready() { return shown === state() ? Promise.resolve() : search(); }
  function later() { clearTimeout(timer); timer = setTimeout(search, 150); }
  function show(list) {
    items = list; active = -1; results.textContent = "";
    count.textContent = !items.length ? "Không có kết quả." : items.length + (items.length >= K ? " kết quả đầu tiên" : " kết quả");
    items.forEach(function (it, i) {  // a list of buttons, one Tab stop (roving tabindex): ↑↓ move, Enter opens
      var li = el("li"), b = el("button", "hit"); b.type = "button"; b.tabIndex = i === 0 ? 0 : -1;
      b.appendChild(el("span", "code", it.procedure_id)); b.appendChild(el("span", "title", it.title));
      var labels = (it.level_labels || []).join(", ");
      b.appendChild(el("span", "meta", labels === it.field ? labels : labels + " · " + it.field));
      b.addEventListener("click", function (e) { select(i, false); open(it.procedure_id, e.detail === 0); });
      li.appendChild(b); results.appendChild(li);
    });
  }
  function select(i, focus) {
    var hits = results.querySelectorAll(".hit"); if (!hits.length) return;
    active = Math.max(0, Math.min(i, hits.length - 1));
    hits.forEach(function (h, j) { h.classList.toggle("active", j === active); h.tabIndex = j === active ? 0 : -1; });
    if (focus) hits[active].focus();
  }

  // ---- the card: the citizen summary first, then the official text in collapsed sections
  function quantity(qty) {  // "0 bản chính, 1 bản sao" -> "1 bản sao"; "0 bản chính" -> "" (the row is a note)
    return (qty || "").split(",").map(function (x) { return x.trim(); }).filter(function (x) { return x && !/^0+\s/.test(x); }).join(", ");
  }
  function isNote(d) { return !!d.quantity && !quantity(d.quantity); }
  function time(t) { t = (t || "").trim(); return !t ? "không ghi" : /^\d+([.,]\d+)?$/.test(t) ? t + UNITLESS : t; }
  function fact(line) {  // "Lệ phí: 35.000 đồng" -> <b>Lệ phí:</b> 35.000 đồng
    var p = el("p", "fact"), i = line.indexOf(": ");
    if (i > 0 && i < 30) { p.appendChild(el("b", null, line.slice(0, i + 1))); p.appendChild(document.createTextNode(line.slice(i + 1))); }
    else p.textContent = line;
    return p;
  }
  function list(lines, cls) { var ul = el("ul", cls); lines.forEach(function (x) { ul.appendChild(el("li", null, x)); }); return ul; }
  function fold(title, body, n) {
    var d = el("details"); d.appendChild(el("summary", null, title + (n ? " (" + n + ")" : "")));
    (Array.isArray(body) ? body : [body]).forEach(function (b) { d.appendChild(b); }); return d;
  }
  function docLine(d) { var qn = quantity(d.quantity); return (d.group ? "[" + d.group + "] " : "") + d.name + (qn ? " — " + qn : "") + (d.form ? " — mẫu: " + d.form : ""); }
  function channelLine(ch) { return ch.channel + ": thời hạn " + time(ch.time) + "; phí: " + (ch.fee || "không ghi") + (ch.note ? " — " + ch.note : ""); }
  function legalLine(r) { return (r.number ? r.number + " — " : "") + r.title + (r.article ? " (" + r.article + ")" : ""); }

  function summary(c) {
    var s = el("section", "brief"); s.setAttribute("aria-labelledby", "brief-h");
    var h = el("h3", null, "Tóm tắt cho người dân"); h.id = "brief-h"; s.appendChild(h);
    (c.brief || []).forEach(function (b) {
      if (b.kind === "lead" || b.kind === "note") b.lines.forEach(function (x) { s.appendChild(fact(x)); });
      else if (b.kind === "documents") { s.appendChild(el("h4", null, b.label)); s.appendChild(list(b.lines.map(function (x) { return x.replace(/^☐\s*/, ""); }), "check")); }
      else if (b.kind === "special") { var d = fold(b.label, list(b.lines), b.lines.length); d.className = "special"; s.appendChild(d); }
      else if (b.kind !== "link") b.lines.forEach(function (x) { s.appendChild(fact(x)); });
    });
    return s;
  }
  function official(c) {
    var s = el("section", "official"); s.setAttribute("aria-labelledby", "official-h");
    var h = el("h3", null, "Văn bản chính thức (Cổng Dịch vụ công)"); h.id = "official-h"; s.appendChild(h);
    var docs = c.documents.filter(function (d) { return !isNote(d); }), notes = c.documents.filter(isNote);
    if (c.channels.length) s.appendChild(fold("Cách thức thực hiện, thời hạn, phí", list(c.channels.map(channelLine)), c.channels.length));
    if (c.documents.length) {
      var parts = [list(docs.map(docLine))];
      if (notes.length) { parts.push(el("h4", null, "Ghi chú kèm thành phần hồ sơ")); parts.push(list(notes.map(function (d) { return d.name; }))); }
      s.appendChild(fold("Thành phần hồ sơ", parts, docs.length + (notes.length ? " giấy tờ, " + notes.length + " ghi chú" : "")));
    }
    Object.keys(c.sections || {}).forEach(function (k) { s.appendChild(fold(SECTIONS[k] || k, el("p", "pre", c.sections[k]))); });
    if (c.applicants) s.appendChild(fold("Đối tượng thực hiện", el("p", null, c.applicants)));
    if (c.result) s.appendChild(fold("Kết quả", el("p", null, c.result)));
    if (c.legal_basis.length) s.appendChild(fold("Căn cứ pháp lý", list(c.legal_basis.map(legalLine)), c.legal_basis.length));
    return s;
  }
  function fullText(c) {  // "Sao chép toàn bộ": the summary, then the official text
    var out = [(c.brief_text || c.title).split("\n").filter(function (x) { return x.indexOf(c.url) < 0; }).join("\n")];
    if (c.kind === "guide") { out.push("", c.body); }
    else {
      out.push("", "— Văn bản chính thức —", "Cấp: " + c.level_labels.join(", ") + (c.field ? " · Lĩnh vực: " + c.field : ""));
      out.push("", "Cách thức, thời hạn, phí:"); c.channels.forEach(function (ch) { out.push("- " + channelLine(ch)); });
      out.push("", "Thành phần hồ sơ:"); c.documents.forEach(function (d) { out.push("- " + (isNote(d) ? "Ghi chú: " + d.name : docLine(d))); });
      Object.keys(c.sections || {}).forEach(function (k) { out.push("", (SECTIONS[k] || k) + ":", c.sections[k]); });
      out.push("", "Căn cứ pháp lý:"); c.legal_basis.forEach(function (r) { out.push("- " + legalLine(r)); });
    }
    if (c.url) out.push("", "Nguồn chính thức: " + c.url);
    return out.join("\n");
  }
  function copy(text, button, done) {
    function ok() { done.textContent = "✓ Đã sao chép " + text.length + " ký tự"; }
    (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(ok, function () {
      var ta = el("textarea"); ta.value = text; document.body.appendChild(ta); ta.select(); document.execCommand("copy"); ta.remove(); ok(); button.focus();
    });
  }
  function open(code, focusCopy) {
    return fetch("/api/procedures/" + encodeURIComponent(code)).then(json).then(function (c) {
      ["documents", "channels", "legal_basis", "level_labels", "brief"].forEach(function (k) { c[k] = c[k] || []; });
      current = c; card.textContent = ""; card.setAttribute("aria-labelledby", "card-title");
      var h = el("h2", null, c.title); h.id = "card-title"; card.appendChild(h);
      card.appendChild(el("p", "muted", [c.code].concat(c.kind === "guide" ? ["Hướng dẫn"] : [c.level_labels.join(", "), c.field, c.agency]).filter(Boolean).join(" · ")));
      var tools = el("div", "tools"), done = el("span", "done");
      done.setAttribute("role", "status");
      var short = el("button", "copy", "Sao chép tóm tắt"); short.type = "button"; short.id = "copy";
      short.setAttribute("aria-keyshortcuts", "c");
      short.addEventListener("click", function () { copy(c.brief_text || fullText(c), short, done); });
      var all = el("button", "copyall", "Sao chép toàn bộ"); all.type = "button"; all.id = "copyall";
      all.addEventListener("click", function () { copy(fullText(c), all, done); });
      tools.appendChild(short); tools.appendChild(all);
      if (c.url) { var a = el("a", null, "Trang chính thức ↗"); a.href = c.url; a.target = "_blank"; a.rel = "noopener noreferrer"; tools.appendChild(a); }
      tools.appendChild(done); card.appendChild(tools);
      if (c.kind === "guide") card.appendChild(el("p", "pre", c.body));
      else { card.appendChild(summary(c)); card.appendChild(official(c)); }
      if (focusCopy) short.focus();
    }, function () { card.textContent = ""; card.appendChild(el("p", "muted", "Không mở được thủ tục " + code + "; thử lại.")); });
  }
  function openActive(focusCopy) {
    return ready().then(function () {
      if (!items.length) return;
      select(active < 0 ? 0 : active, false);
      return open(items[active].procedure_id, focusCopy);
    });
  }

  // ---- keyboard: arrows only in the search box and the result list; the rest keeps its own keys
  q.addEventListener("input", later);
  field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
  [level, agency].forEach(function (s) { s.addEventListener("change", search); });
  q.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); ready().then(function () { select(0, true); }); }
    else if (e.key === "Enter") { e.preventDefault(); active = -1; openActive(true); }
  });
  results.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); select(active + 1, true); }
    else if (e.key === "ArrowUp") { e.preventDefault(); if (active <= 0) q.focus(); else select(active - 1, true); }
    else if (e.key === "Home") { e.preventDefault(); select(0, true); }
    else if (e.key === "End") { e.preventDefault(); select(items.length - 1, true); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target, typing = t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if (e.key === "/" && !typing) { e.preventDefault(); q.focus(); q.select(); }
    else if (e.key === "Escape" && t !== q) { e.preventDefault(); q.focus(); q.select(); }
    else if ((e.key === "c" || e.key === "C") && !typing && current) { e.preventDefault(); $("copy").click(); $("copy").focus(); }
  });
  search(); q.focus();
})();
