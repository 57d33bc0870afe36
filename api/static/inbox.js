// The clerks' inbox of handoff tickets. Everything from the server goes into textContent, never innerHTML: a
// citizen's words and a clerk's reply are text. The list updates live (Server-Sent Events), or every few seconds.
(function () {
  "use strict";
  var root = document.getElementById("inbox"), csrf = root.dataset.csrf;
  var list = document.getElementById("tickets"), count = document.getElementById("icount");
  var search = document.getElementById("iq"), view = document.getElementById("ticket"), liveNote = document.getElementById("live");
  var STATUS = {open: "Đang chờ", answered: "Đã trả lời", closed: "Đã đóng"};
  var WHO = {citizen: "Người dân", bot: "Trợ lý tự động", clerk: "Cán bộ"};
  var status = "open", current = null, known = null, fresh = {}, timer = null, poller = null, es = null;

  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; }
  function when(iso) { var d = new Date(iso); return d.toLocaleString("vi-VN", {hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit"}); }
  function api(path, body) {
    var opts = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(body)};
    return fetch(path, opts).then(function (r) {
      if (r.status === 401) { location.href = "/clerk/login?next=/clerk/inbox"; throw new Error("signed out"); }
      return r.json().then(function (b) { if (!r.ok) throw new Error(b.message || "Lỗi"); return b; });
    });
  }

  function load() {
    var q = search.value.trim();
    return api("/api/clerk/tickets?status=" + status + (q ? "&q=" + encodeURIComponent(q) : "")).then(function (b) {
      var first = known === null, seen = known || {};
      known = {};
      list.textContent = "";
      b.tickets.forEach(function (t) {
        known[t.code] = t.updated_at;
        var li = el("li"), btn = el("button", "tk"); btn.type = "button"; btn.setAttribute("data-code", t.code);
        if (!first && !(t.code in seen)) fresh[t.code] = true;  // came in while the page was open: marked until read
        if (fresh[t.code]) btn.classList.add("new");
        btn.appendChild(el("span", "code", t.code)); btn.appendChild(el("span", "st", STATUS[t.status]));
        btn.appendChild(el("span", "q", t.question || "—"));
        btn.appendChild(el("span", "meta", t.commune_name + " · " + when(t.updated_at) + (t.replies ? " · " + t.replies + " trả lời" : "")));
        if (current === t.code) btn.setAttribute("aria-current", "true");
        btn.onclick = function () { open(t.code); };
        li.appendChild(btn); list.appendChild(li);
      });
      count.textContent = b.tickets.length ? b.tickets.length + " yêu cầu " + STATUS[status].toLowerCase() : "Không có yêu cầu nào " + STATUS[status].toLowerCase() + ".";
      var waiting = status === "open" ? b.tickets.length : 0;
      document.title = (waiting ? "(" + waiting + ") " : "") + "Yêu cầu gặp cán bộ";
    }).catch(function (e) { count.textContent = e.message; });
  }

  function open(code) {
    current = code; delete fresh[code];
    list.querySelectorAll(".tk").forEach(function (b) { b.setAttribute("aria-current", String(b.getAttribute("data-code") === code)); });
    return api("/api/clerk/tickets/" + encodeURIComponent(code)).then(render).catch(function (e) {
      view.textContent = ""; view.appendChild(el("p", "error", e.message));
    });
  }

  // A live update of the ticket on view refreshes what is above the reply box and keeps the box itself: the words a
  // clerk is typing, the caret and an input method's composition survive it (a new box mid-typing lost them).
  function render(t) {
    var form = view.querySelector(".reply"), keep = form && form.getAttribute("data-code") === t.code && t.status !== "closed";
    var top = el("div", "top");
    var h = el("h2", null, t.code); h.appendChild(el("span", "st", STATUS[t.status])); top.appendChild(h);
    top.appendChild(el("p", "muted", t.commune_name + " · mở lúc " + when(t.created_at)));
    if (t.contact) {
      var c = el("p", "contact", (t.contact.kind === "phone" ? "Điện thoại: " : "E-mail: ") + t.contact.value);
      c.title = "Người dân đồng ý: " + t.contact.consent; top.appendChild(c);
    }
    var tr = el("ul", "tr");
    t.transcript.forEach(function (e) {
      var li = el("li", e.who); li.appendChild(el("span", "who", WHO[e.who] + (e.author ? " " + e.author : "") + " · " + when(e.created_at)));
      li.appendChild(document.createTextNode(e.text)); tr.appendChild(li);
    });
    top.appendChild(tr);
    if (keep) { view.replaceChild(top, view.querySelector(".top")); tr.scrollTop = tr.scrollHeight; return; }
    view.textContent = ""; view.appendChild(top); tr.scrollTop = tr.scrollHeight;
    var err = el("p", "error"); err.setAttribute("role", "alert");
    if (t.status !== "closed") {
      form = el("div", "reply"); form.setAttribute("data-code", t.code);
      var label = el("label", null, "Trả lời người dân (chỉ văn bản)"); label.htmlFor = "reply";
      var box = el("textarea"); box.id = "reply"; box.maxLength = 4000;
      var send = el("button", "send", "Gửi trả lời"); send.type = "button";
      var close = el("button", "close", "Đóng yêu cầu"); close.type = "button";
      send.onclick = function () {
        var text = box.value;
        if (!text.trim()) { box.focus(); return; }
        send.disabled = true; err.textContent = "";
        api("/api/clerk/tickets/" + encodeURIComponent(t.code) + "/reply", {text: text}).then(function () {
          if (box.value === text) box.value = "";  // not what was typed since
          send.disabled = false;  // stored: the next reply may go while the ticket and the list reload
          return open(t.code);
        }).then(load).catch(function (e) { err.textContent = e.message; send.disabled = false; });
      };
      close.onclick = function () {
        close.disabled = true; err.textContent = "";
        api("/api/clerk/tickets/" + encodeURIComponent(t.code) + "/close", {}).then(function () { return open(t.code); })
          .then(load).catch(function (e) { err.textContent = e.message; close.disabled = false; });
      };
      var actions = el("div", "actions"); actions.appendChild(send); actions.appendChild(close);
      [label, box, actions, err].forEach(function (n) { form.appendChild(n); });
      view.appendChild(form);
    } else {
      view.appendChild(el("p", "muted", "Yêu cầu đã đóng. Thông tin liên hệ của người dân (nếu có) đã được xóa."));
      view.appendChild(err);
    }
  }

  function changed() { load(); if (current) open(current); }
  function poll() { if (!poller) { poller = setInterval(changed, 5000); liveNote.textContent = "Tự cập nhật mỗi 5 giây."; } }
  function listen() {
    if (!window.EventSource) { poll(); return; }
    var fails = 0;
    es = new EventSource("/api/clerk/inbox/events");
    es.addEventListener("changed", function () { changed(); });
    es.onopen = function () { fails = 0; liveNote.textContent = "Đang cập nhật trực tiếp."; };
    es.onerror = function () { if (es.readyState === 2 || ++fails > 3) { es.close(); poll(); } };
  }

  document.querySelectorAll(".tabs button").forEach(function (b) {
    b.onclick = function () {
      status = b.getAttribute("data-status"); known = null;
      document.querySelectorAll(".tabs button").forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); });
      load();
    };
  });
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(load, 250); });
  load().then(listen);
})();
