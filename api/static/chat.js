// The commune chat page (also the widget's panel, with ?embed=1). Everything from the server or the user goes into
// textContent, never innerHTML. An answer shows its short answer (`lead`) first; the official card is one tap away.
(function () {
  "use strict";
  var root = document.getElementById("app");
  var commune = root.dataset.commune, place = root.dataset.name || "";
  var KEY = "tthc:" + commune;
  var embedded = document.body.classList.contains("embed");
  var T = {
    vi: {title: "Hỏi đáp TTHC", sub: "Hỏi đáp thủ tục hành chính 24/7", tools: "Công cụ", smaller: "Chữ nhỏ hơn",
      bigger: "Chữ to hơn", language: "Ngôn ngữ", "new": "Cuộc trò chuyện mới", newShort: "Trò chuyện mới",
      privacy: "Câu hỏi được lưu {d} ngày, đã xóa số điện thoại, số CCCD, e-mail và họ tên; không dùng vào việc khác.",
      forget: "Xóa cuộc trò chuyện", forgotten: "Đã xóa cuộc trò chuyện và thông tin liên hệ của bạn khỏi hệ thống.", cleared: "Đã xóa cuộc trò chuyện trên máy này.",
      mic: "Hỏi bằng giọng nói", question: "Câu hỏi", ask: "Đặt câu hỏi", ph: "Nhập câu hỏi, ví dụ: làm giấy khai sinh cần gì", send: "Gửi",
      read: "🔊 Đọc to", stop: "⏹ Dừng đọc", up: "👍 Hữu ích", down: "👎 Chưa đúng", thanks: "Cảm ơn bạn đã góp ý!",
      card: "Xem thủ tục đầy đủ", hide: "Ẩn thủ tục đầy đủ", src: "Nguồn chính thức", answered: "Câu trả lời:",
      err: "Không gửi được câu hỏi. Vui lòng thử lại.", wait: "Đang tìm câu trả lời…",
      greet: "Xin chào! Tôi trả lời câu hỏi về thủ tục hành chính, dựa trên văn bản chính thức. Bạn cần làm thủ tục gì?",
      note: "Câu trả lời mang tính hướng dẫn. Trung tâm Phục vụ hành chính công là nơi có ý kiến cuối cùng.",
      addr: "Địa chỉ: ", hours: "Giờ làm việc: ", phone: "Điện thoại: ",
      cways: "Cách thức, thời hạn, phí", cdocs: "Thành phần hồ sơ", cwho: "Đối tượng thực hiện", cagency: "Cơ quan thực hiện",
      cresult: "Kết quả", csteps: "Trình tự thực hiện", creq: "Yêu cầu, điều kiện", clegal: "Căn cứ pháp lý",
      ctime: "Thời hạn: ", cfee: "Phí, lệ phí: ", cform: "Mẫu: ", cofficial: "Trang chính thức trên Cổng Dịch vụ công",
      rec: "Đang ghi âm… bấm 🎤 để gửi", denied: "Trình duyệt không cho dùng micro. Hãy cho phép micro trong cài đặt trình duyệt, hoặc gõ câu hỏi.",
      nomic: "Thiết bị này không ghi âm được. Vui lòng gõ câu hỏi.", heard: "Tôi nghe được:", edit: "✏️ Sửa và gửi lại",
      sending: "Đang nhận dạng giọng nói…",
      handoff: "Gặp cán bộ", handoffAsk: "Cho tôi gặp cán bộ", ticket: "Mã yêu cầu (đọc mã này tại quầy)",
      offer: "Có vẻ tôi chưa giúp được bạn. Bạn có muốn hỏi trực tiếp cán bộ không?",
      contact: "Số điện thoại hoặc e-mail để cán bộ liên hệ (không bắt buộc)",
      consent: "Tôi đồng ý để cán bộ dùng số điện thoại/e-mail này chỉ để trả lời câu hỏi này.",
      save: "Gửi thông tin liên hệ", saved: "Đã lưu. Cán bộ chỉ dùng thông tin này để trả lời câu hỏi này.",
      needConsent: "Vui lòng đánh dấu đồng ý trước khi gửi.", clerk: "Cán bộ trả lời", closedTicket: "Yêu cầu đã đóng."},
    en: {title: "Administrative procedures Q&A", sub: "Questions on administrative procedures, 24/7", tools: "Tools",
      smaller: "Smaller text", bigger: "Larger text", language: "Language", "new": "New conversation", newShort: "New chat",
      privacy: "Questions are kept for {d} days with phone, ID numbers, e-mails and names removed, and used for nothing else.",
      forget: "Delete this conversation", forgotten: "Your conversation and contact details were deleted.",
      cleared: "The conversation was cleared from this device.", mic: "Ask by voice", question: "Question", ask: "Ask a question",
      ph: "Type a question, e.g. what do I need to register a birth", send: "Send",
      read: "🔊 Read aloud", stop: "⏹ Stop reading", up: "👍 Helpful", down: "👎 Not right", thanks: "Thank you for your feedback!",
      card: "Show the full procedure", hide: "Hide the full procedure", src: "Official source", answered: "Answer:",
      err: "The question could not be sent. Please try again.", wait: "Looking for the answer…",
      greet: "Hello! I answer questions about administrative procedures from the official texts. What do you need to do?",
      note: "Answers are guidance. The Public Administration Service Center has the final word.",
      addr: "Address: ", hours: "Opening hours: ", phone: "Phone: ",
      cways: "How to submit, time limit, fee", cdocs: "Documents", cwho: "Who can apply", cagency: "Implementing agency",
      cresult: "Result", csteps: "Steps", creq: "Requirements", clegal: "Legal basis",
      ctime: "Time limit: ", cfee: "Fee: ", cform: "Form: ", cofficial: "Official page on the National Public Service Portal",
      rec: "Recording… tap 🎤 to send", denied: "The browser blocked the microphone. Allow it in the browser settings, or type the question.",
      nomic: "This device cannot record. Please type the question.", heard: "I understood:", edit: "✏️ Edit and resend",
      sending: "Recognising speech…",
      handoff: "Talk to a person", handoffAsk: "I want to talk to a person", ticket: "Request code (read it out at the counter)",
      offer: "It seems I could not help. Would you like to ask a clerk?",
      contact: "Phone or e-mail for the clerk to reach you (optional)",
      consent: "I agree that the clerk may use this phone number/e-mail only to answer this question.",
      save: "Send contact", saved: "Saved. The clerk uses it only to answer this question.",
      needConsent: "Please tick the consent box first.", clerk: "Reply from a clerk", closedTicket: "The request is closed."},
    de: {title: "Fragen zu Verwaltungsverfahren", sub: "Fragen zu Verwaltungsverfahren, rund um die Uhr", tools: "Werkzeuge",
      smaller: "Kleinere Schrift", bigger: "Größere Schrift", language: "Sprache", "new": "Neues Gespräch", newShort: "Neuer Chat",
      privacy: "Fragen werden {d} Tage gespeichert, ohne Telefonnummern, Ausweisnummern, E-Mails und Namen, und nicht anders verwendet.",
      forget: "Gespräch löschen", forgotten: "Ihr Gespräch und Ihre Kontaktdaten wurden gelöscht.",
      cleared: "Das Gespräch wurde auf diesem Gerät gelöscht.", mic: "Per Sprache fragen", question: "Frage", ask: "Frage stellen",
      ph: "Frage eingeben, z. B. Was brauche ich für eine Geburtsurkunde?", send: "Senden",
      read: "🔊 Vorlesen", stop: "⏹ Vorlesen stoppen", up: "👍 Hilfreich", down: "👎 Nicht richtig", thanks: "Danke für Ihre Rückmeldung!",
      card: "Vollständiges Verfahren anzeigen", hide: "Verfahren ausblenden", src: "Amtliche Quelle", answered: "Antwort:",
      err: "Die Frage konnte nicht gesendet werden. Bitte erneut versuchen.", wait: "Suche nach der Antwort…",
      greet: "Hallo! Ich beantworte Fragen zu Verwaltungsverfahren anhand der amtlichen Texte. Was möchten Sie erledigen?",
      note: "Die Antworten sind eine Orientierung. Verbindlich ist das Bürgerservicezentrum.",
      addr: "Adresse: ", hours: "Öffnungszeiten: ", phone: "Telefon: ",
      cways: "Einreichung, Frist, Gebühr", cdocs: "Unterlagen", cwho: "Antragsberechtigte", cagency: "Zuständige Behörde",
      cresult: "Ergebnis", csteps: "Ablauf", creq: "Voraussetzungen", clegal: "Rechtsgrundlage",
      ctime: "Frist: ", cfee: "Gebühr: ", cform: "Formular: ", cofficial: "Amtliche Seite im Nationalen Portal für öffentliche Dienste",
      rec: "Aufnahme… 🎤 tippen zum Senden", denied: "Der Browser hat das Mikrofon blockiert. Erlauben Sie es in den Einstellungen oder tippen Sie die Frage.",
      nomic: "Dieses Gerät kann nicht aufnehmen. Bitte tippen Sie die Frage.", heard: "Ich habe verstanden:", edit: "✏️ Bearbeiten und erneut senden",
      sending: "Sprache wird erkannt…",
      handoff: "Mit einem Menschen sprechen", handoffAsk: "Ich möchte mit einem Menschen sprechen",
      ticket: "Anfragecode (am Schalter nennen)", offer: "Offenbar konnte ich nicht helfen. Möchten Sie einen Mitarbeiter fragen?",
      contact: "Telefon oder E-Mail für eine Antwort (freiwillig)",
      consent: "Ich bin einverstanden, dass diese Telefonnummer/E-Mail nur zur Beantwortung dieser Frage verwendet wird.",
      save: "Kontakt senden", saved: "Gespeichert. Nur für die Antwort auf diese Frage.",
      needConsent: "Bitte zuerst die Einwilligung ankreuzen.", clerk: "Antwort eines Mitarbeiters", closedTicket: "Die Anfrage ist geschlossen."}
  };
  var SUGG = {vi: ["Làm giấy khai sinh cần gì", "Đăng ký kết hôn", "Đăng ký thường trú", "Đăng ký tạm trú",
    "Làm căn cước", "Chứng thực bản sao", "Đăng ký khai tử", "Trợ cấp xã hội người cao tuổi"],
    en: ["How do I register a birth?", "Marriage registration", "Temporary residence", "Certified copy"],
    de: ["Wie beantrage ich eine Geburtsurkunde für mein Kind?", "Wie können wir in Vietnam heiraten?",
      "Was kostet die Anmeldung eines vorübergehenden Wohnsitzes (tạm trú)?", "Personalausweis (căn cước) verloren"]};
  var SECTION_KEYS = {"trinh-tu": "csteps", "cach-thuc": "cways", "ho-so": "cdocs", "doi-tuong": "cwho",
    "co-quan": "cagency", "yeu-cau": "creq", "ket-qua": "cresult", "can-cu": "clegal"};
  var VOICES = {vi: "vi-VN", en: "en-US", de: "de-DE"};
  // letters only Vietnamese uses: a quoted Vietnamese line inside an English or German answer gets lang="vi"
  var VI = /[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;
  var state = load();
  var lang = T[state.lang] ? state.lang : "vi";
  var log = document.getElementById("log"), input = document.getElementById("q"), form = document.getElementById("f");
  var status = document.getElementById("status");
  var epoch = 0, uid = 0, speaking = null;

  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; } }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode, or full */ } }
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; }
  function t(k) { return T[lang][k]; }
  // page chrome inside an answer: translated when the language changes, and marked with its own language
  function chrome(tag, cls, key) { var n = el(tag, cls, t(key)); n.setAttribute("data-t", key); n.lang = lang; return n; }
  function button(cls, key) { var b = chrome("button", cls, key); b.type = "button"; return b; }
  // official or answer text: in the answer's language, or Vietnamese where it quotes Vietnamese
  function text(tag, cls, value, base) { var n = el(tag, cls, value); if (base !== "vi" && VI.test(value)) n.lang = "vi"; return n; }

  var days = (document.getElementById("privacy") || {getAttribute: function () { return ""; }}).getAttribute("data-days");
  function applyLang() {
    document.documentElement.lang = lang;
    document.title = t("title") + (place ? " – " + place : "");
    document.querySelectorAll("[data-t]").forEach(function (n) {
      n.textContent = t(n.getAttribute("data-t")).replace("{d}", days); if (n.closest(".msg")) n.lang = lang;
    });
    document.querySelectorAll("[data-t-aria]").forEach(function (n) { n.setAttribute("aria-label", t(n.getAttribute("data-t-aria"))); });
    document.querySelectorAll("[data-t-title]").forEach(function (n) { n.title = t(n.getAttribute("data-t-title")); });
    document.querySelectorAll("[data-card-open]").forEach(function (n) {
      var key = n.getAttribute("aria-expanded") === "true" ? "hide" : "card"; n.setAttribute("data-t", key); n.textContent = t(key);
    });
    input.placeholder = t("ph");
    document.getElementById("lang").value = lang;
    document.getElementById("greet").textContent = t("greet");
    document.getElementById("note").textContent = t("note");
    var s = document.getElementById("sugg"); s.textContent = "";
    SUGG[lang].forEach(function (q) { var b = el("button", null, q); b.type = "button"; b.onclick = function () { ask(q); }; s.appendChild(b); });
  }

  function setSize(delta) {
    var size = Math.min(28, Math.max(14, (state.fs || 18) + delta)); state.fs = size; save();
    document.documentElement.style.setProperty("--fs", size + "px");
  }

  // ---- scrolling: only this document ever scrolls (in the widget, scrollIntoView would scroll the host page too)
  function barHeight() { return form.getBoundingClientRect().height; }
  function toTop(node) { window.scrollTo(0, Math.max(0, node.getBoundingClientRect().top + window.pageYOffset - 8)); }
  function reveal(node) {  // bring the bottom of `node` above the fixed input bar
    var over = node.getBoundingClientRect().bottom - (window.innerHeight - barHeight() - 8);
    if (over > 0) window.scrollBy(0, over);
  }
  function fitBar() { document.documentElement.style.setProperty("--bar", Math.ceil(barHeight()) + "px"); }

  // ---- read aloud: the short answer only, with a Stop button while it speaks
  function shortText(res) {
    var lead = (res.blocks || []).filter(function (b) { return b.kind === "lead"; })[0];
    var s = (lead ? lead.lines.join(" ") : res.answer || "").replace(/\[[^\]]+\]/g, "").replace(/https?:\/\/\S+/g, "")
      .replace(/[☐•]/g, "").replace(/\s+/g, " ").trim();
    if (s.length <= 300) return s;
    var cut = s.slice(0, 300), end = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf("; "), cut.lastIndexOf(": "));
    return end > 100 ? cut.slice(0, end + 1) : cut.slice(0, cut.lastIndexOf(" ")) + "…";
  }
  function endSpeaking() {
    if (!speaking) return;
    var s = speaking; speaking = null;
    var refocus = document.activeElement === s.stop;
    s.stop.hidden = true; s.read.hidden = false;
    if (refocus) s.read.focus({preventScroll: true});
  }
  function stopSpeaking() { if ("speechSynthesis" in window) window.speechSynthesis.cancel(); endSpeaking(); }
  function speak(res, read, stop) {
    if (!("speechSynthesis" in window)) return;
    stopSpeaking();
    var u = new SpeechSynthesisUtterance(shortText(res));
    u.lang = VOICES[res.language] || "vi-VN";
    var v = window.speechSynthesis.getVoices().filter(function (x) { return x.lang && x.lang.indexOf(u.lang.slice(0, 2)) === 0; })[0];
    if (v) u.voice = v;
    var mine = speaking = {read: read, stop: stop};
    u.onend = u.onerror = function () { if (speaking === mine) endSpeaking(); };
    var refocus = document.activeElement === read;
    read.hidden = true; stop.hidden = false;
    if (refocus) stop.focus({preventScroll: true});
    window.speechSynthesis.speak(u);
  }

  // ---- an answer
  function renderChoices(res) {
    // not sure which procedure: the citizen taps one, and the question is answered with it
    var box = el("article", "msg a choices"); box.lang = res.language || "vi";
    box.appendChild(text("p", "fact", res.answer.split("\n")[0], box.lang));
    var chips = el("div", "sugg chips"); chips.setAttribute("role", "group");
    res.choices.forEach(function (c, i) {
      var b = el("button", "chip", (i + 1) + ". " + c.title); b.type = "button"; b.dataset.code = c.procedure_id; b.lang = "vi";
      b.onclick = function () { ask(c.title, c.procedure_id); };
      chips.appendChild(b);
    });
    box.appendChild(chips);
    return box;
  }

  function lines(tag, items, base) { var l = el(tag); items.forEach(function (x) { l.appendChild(text("li", null, x, base)); }); return l; }
  function safeUrl(u) { return /^https?:\/\//i.test(u || "") ? u : ""; }
  function link(url, label) { var a = el("a", null, label); a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer"; return a; }

  function renderBlock(b, res, base) {
    var kind = b.kind, items = (b.lines || []).filter(function (x) { return x; });
    if (kind === "lead") {  // the procedure it answers from (the label), then the asked fact
      var lead = el("div", "lead");
      if (b.label) lead.appendChild(text("p", "proc", b.label, base));
      var said = items.join(" ");
      lead.appendChild(text("p", said.length > 160 ? "fact long" : "fact", said, base));
      return lead;
    }
    if (!items.length) return null;
    var node;
    if (kind === "documents") {
      node = el("section", "b documents"); node.appendChild(text("h2", null, b.label, base));
      var ul = el("ul", "check");
      items.forEach(function (x) {
        var li = el("li"), label = el("label"), box = el("input"); box.type = "checkbox";
        label.appendChild(box); label.appendChild(text("span", null, x.replace(/^\s*[☐□]\s*/, ""), base));
        li.appendChild(label); ul.appendChild(li);
      });
      node.appendChild(ul);
    } else if (kind === "special" || kind === "legal") {
      node = el("details", "b " + kind); node.appendChild(text("summary", null, b.label, base));
      node.appendChild(lines("ul", items, base));
    } else if (kind === "link") {
      var url = safeUrl(items[0]); if (!url) return null;
      var source = (res.sources || []).filter(function (s) { return s.url === url; })[0];
      node = el("p", "b link"); node.appendChild(text("span", null, (b.label || t("src")) + ": ", base));
      node.appendChild(source ? text("a", null, source.title + " [" + source.procedure_id + "]", base) : el("a", null, url));
      var a = node.lastChild; a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
    } else if (kind === "note") {
      node = text("p", "b note", items.join("\n"), base);
    } else if (kind === "steps") {
      node = el("section", "b steps"); node.appendChild(text("h2", null, b.label, base)); node.appendChild(lines("ol", items, base));
    } else if (items.length === 1 && items[0].length <= 240) {  // where, time, fee, who, result: one line, label first
      var line = items[0], head = b.label;
      if (head && line.indexOf(head) === 0) { line = line.slice(head.length).replace(/^\s*:\s*/, ""); }
      node = el("p", "b kv " + kind);
      if (head) node.appendChild(text("b", null, head, base));
      node.appendChild(text("span", null, line, base));
    } else {
      node = el("section", "b " + kind); node.appendChild(text("h2", null, b.label, base)); node.appendChild(lines("ul", items, base));
    }
    if (b.section) node.setAttribute("data-section", b.section);
    return node;
  }

  function cardSection(key, content) { var s = el("section"); s.appendChild(chrome("h3", null, key)); s.appendChild(content); return s; }
  function renderCard(card) {
    var box = el("section", "card"); box.lang = "vi";
    box.appendChild(el("h2", null, card.title));
    box.appendChild(el("p", "code", [(card.level_labels || []).join(", "), card.code, card.field].filter(function (x) { return x; }).join(" · ")));
    if (card.kind === "guide") {
      box.appendChild(el("p", "pre", card.body));
    } else {
      if ((card.channels || []).length) {
        var ways = el("ul");
        card.channels.forEach(function (c) {
          var li = el("li"); li.appendChild(el("b", null, c.channel));
          [["ctime", c.time], ["cfee", c.fee]].forEach(function (p) {
            if (!p[1]) return; var d = el("div"); d.appendChild(chrome("span", null, p[0])); d.appendChild(el("span", null, p[1])); li.appendChild(d);
          });
          if (c.note) li.appendChild(el("div", null, c.note));
          ways.appendChild(li);
        });
        box.appendChild(cardSection("cways", ways));
      }
      if ((card.documents || []).length) {
        var docs = el("div"), group = null, ul = null;
        card.documents.forEach(function (d) {
          if (!ul || d.group !== group) { group = d.group; if (group) docs.appendChild(el("h4", null, group)); ul = docs.appendChild(el("ul")); }
          var li = el("li", null, d.name + (d.quantity ? " (" + d.quantity + ")" : ""));
          if (d.form) { var f = el("div", "form"); f.appendChild(chrome("span", null, "cform")); f.appendChild(el("span", null, d.form)); li.appendChild(f); }
          ul.appendChild(li);
        });
        box.appendChild(cardSection("cdocs", docs));
      }
      if (card.applicants) box.appendChild(cardSection("cwho", el("p", null, card.applicants)));
      if (card.implementing_agency || card.agency) box.appendChild(cardSection("cagency", el("p", null, card.implementing_agency || card.agency)));
      if (card.result) box.appendChild(cardSection("cresult", el("p", null, card.result)));
      Object.keys(card.sections || {}).forEach(function (k) {
        var p = el("p", "pre", card.sections[k]);
        if (SECTION_KEYS[k]) box.appendChild(cardSection(SECTION_KEYS[k], p));
        else { var s = el("section"); s.appendChild(el("h3", null, k)); s.appendChild(p); box.appendChild(s); }
      });
    }
    if ((card.legal_basis || []).length) {
      box.appendChild(cardSection("clegal", lines("ul", card.legal_basis.map(function (r) {
        return (r.number ? r.number + " — " : "") + r.title + (r.article ? " (" + r.article + ")" : "");
      }), "vi")));
    }
    var url = safeUrl(card.url || card.source_url);
    if (url) { var p = el("p"); var a = link(url, ""); a.appendChild(chrome("span", null, "cofficial")); p.appendChild(a); box.appendChild(p); }
    return box;
  }

  function renderAnswer(turn) {
    var res = turn.res;
    var box = res.kind === "handoff" ? renderHandoff(turn)
      : res.kind === "choices" && res.choices && res.choices.length ? renderChoices(res) : renderReply(turn);
    if (res.offer_handoff) box.appendChild(offerLine());
    return box;
  }

  function renderReply(turn) {
    var res = turn.res;
    var base = res.language || "vi", generated = res.generator && res.generator !== "extractive";
    var box = el("article", "msg a"); box.lang = base;
    var blocks = (res.blocks || []).slice().sort(function (x, y) { return (y.kind === "lead") - (x.kind === "lead"); });
    if (blocks.length) {
      blocks.forEach(function (b) { var n = renderBlock(b, res, base); if (n) box.appendChild(n); });
    } else {  // generated text, a refusal, or an answer without parts: the text as it is, line by line
      var all = el("div", "fact text" + (generated ? " gen" : ""));
      (res.answer || "").split("\n").forEach(function (line, i) {
        if (i) all.appendChild(document.createTextNode("\n"));
        all.appendChild(text("span", null, line, base));
      });
      box.appendChild(all);
    }
    var sources = res.sources || [];
    if (sources.length && !blocks.some(function (b) { return b.kind === "link"; }) && safeUrl(sources[0].url)) {
      var src = el("p", "src"); src.appendChild(chrome("span", null, "src")); src.appendChild(document.createTextNode(": "));
      src.appendChild(link(sources[0].url, sources[0].title + " [" + sources[0].procedure_id + "]")); src.lastChild.lang = "vi";
      box.appendChild(src);
    }
    if (res.card) {
      var id = "card-" + (++uid), open = button("cardbtn", "card"), holder = el("div", "cardbox");
      open.setAttribute("aria-expanded", "false"); open.setAttribute("aria-controls", id); open.setAttribute("data-card-open", "");
      holder.id = id; holder.hidden = true;
      open.onclick = function () {
        if (!holder.firstChild) holder.appendChild(renderCard(res.card));
        var show = holder.hidden; holder.hidden = !show;
        open.setAttribute("aria-expanded", String(show)); open.setAttribute("data-t", show ? "hide" : "card"); open.textContent = t(show ? "hide" : "card");
      };
      box.appendChild(open); box.appendChild(holder);
    }
    var row = el("div", "row");
    var read = button("read", "read"), stop = button("stop", "stop"); stop.hidden = true;
    read.onclick = function () { speak(res, read, stop); }; stop.onclick = stopSpeaking;
    row.appendChild(read); row.appendChild(stop);
    ["up", "down"].forEach(function (r) {
      var b = button("fb", r); b.setAttribute("data-rating", r); b.setAttribute("aria-pressed", "false");
      b.onclick = function () { feedback(turn, r, row); }; row.appendChild(b);
    });
    box.appendChild(row);
    if (turn.vote) voted(row, turn.vote);
    return box;
  }

  function voted(row, rating) {
    row.querySelectorAll(".fb").forEach(function (b) {
      b.disabled = true; b.setAttribute("aria-pressed", String(b.getAttribute("data-rating") === rating));
    });
    if (!row.querySelector(".thanks")) row.appendChild(chrome("span", "thanks", "thanks"));
  }
  function feedback(turn, rating, row) {
    fetch("/api/feedback", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({session_id: turn.res.session_id, turn_id: turn.res.turn_id, rating: rating})})
      .then(function (r) {
        if (!r.ok) return;
        turn.vote = rating; save(); voted(row, rating);
        return r.json().then(function (b) {  // a thumbs-down after an earlier failure: offer a person
          if (b.offer_handoff && !turn.res.offer_handoff) { turn.res.offer_handoff = true; save(); row.parentNode.appendChild(offerLine()); }
        });
      });
  }

  // ---- a person: the ticket (its code, the office hours, an optional contact), then the clerks' replies
  function offerLine() {
    var box = el("div", "offer"); box.appendChild(chrome("p", null, "offer"));
    var b = button("person", "handoff"); b.onclick = function () { ask(t("handoffAsk")); }; box.appendChild(b);
    return box;
  }
  function renderHandoff(turn) {
    var res = turn.res, h = res.handoff, box = el("article", "msg a handoff"); box.lang = res.language || "vi";
    if (!h) { box.appendChild(text("p", "fact text", res.answer, box.lang)); return box; }  // asked without a commune
    var head = el("p", "ticket"); head.appendChild(chrome("span", "lbl", "ticket")); head.appendChild(el("strong", "code", h.code));
    head.lastChild.setAttribute("data-code", h.code); box.appendChild(head);
    box.appendChild(text("p", "hmsg", h.message, box.lang));
    box.appendChild(h.contact_saved || turn.contactSaved ? chrome("p", "saved", "saved") : contactForm(turn));
    track(h.code);
    return box;
  }
  function contactForm(turn) {
    var f = el("form", "contact"), id = "contact-" + (++uid);
    var label = chrome("label", null, "contact"); label.htmlFor = id;
    var value = el("input"); value.id = id; value.type = "text"; value.maxLength = 254; value.autocomplete = "tel";
    var agree = el("label", "agree"), box = el("input"); box.type = "checkbox"; box.name = "consent";
    agree.appendChild(box); agree.appendChild(chrome("span", null, "consent"));
    var send = button("save", "save"); send.type = "submit";
    var err = el("p", "cerr"); err.setAttribute("role", "alert");
    [label, value, agree, send, err].forEach(function (n) { f.appendChild(n); });
    f.addEventListener("submit", function (e) {
      e.preventDefault(); err.textContent = "";
      if (!value.value.trim()) { value.focus(); return; }
      if (!box.checked) { err.textContent = t("needConsent"); box.focus(); return; }
      send.disabled = true;
      fetch("/api/handoff", {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({session_id: state.session_id, commune: commune, contact: value.value, consent: true, lang: lang})})
        .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
        .then(function (x) {
          send.disabled = false;
          if (!x.ok) { err.textContent = x.body.message || t("err"); return; }
          turn.contactSaved = true; save();  // the contact itself is never kept on this device
          f.parentNode.replaceChild(chrome("p", "saved", "saved"), f);
        }).catch(function () { send.disabled = false; err.textContent = t("err"); });
    });
    return f;
  }
  function renderClerk(m) {
    var box = el("article", "msg a clerk"); box.lang = "vi"; box.setAttribute("data-reply", m.id);
    var head = el("p", "lbl"); head.appendChild(chrome("span", null, "clerk")); head.appendChild(document.createTextNode(" · " + m.code));
    box.appendChild(head); box.appendChild(el("p", "text", m.text));  // text only, never HTML
    return box;
  }
  function addReply(m) {
    if (m.id <= (state.lastReply || 0)) return;
    state.lastReply = m.id; state.turns = (state.turns || []).concat([{reply: m}]).slice(-30); save();
    var n = renderClerk(m); log.appendChild(n); reveal(n);
    status.textContent = t("clerk") + ": " + m.text;
  }

  // live: Server-Sent Events on the newest ticket not closed; polling every few seconds where those fail
  var live = null, poller = null;
  function waiting() { var k = state.tickets || {}; return Object.keys(k).filter(function (c) { return k[c] !== "closed"; }); }
  function track(code) {
    state.tickets = state.tickets || {};
    if (!state.tickets[code]) state.tickets[code] = "open";
    save(); listen();
  }
  function stopLive() { if (live) { live.es.close(); live = null; } if (poller) { clearInterval(poller); poller = null; } }
  function poll() { if (!poller) poller = setInterval(fetchReplies, 5000); }
  function listen() {
    var codes = waiting(), code = codes[codes.length - 1];
    if (!state.session_id || !code) { stopLive(); return; }
    if (live && live.code === code) return;
    stopLive();
    if (!window.EventSource) { poll(); return; }
    var es = new EventSource("/api/handoff/" + encodeURIComponent(code) + "/events?session_id=" + state.session_id +
      "&after=" + (state.lastReply || 0));
    var mine = live = {code: code, es: es, fails: 0};
    es.addEventListener("reply", function (e) { addReply(JSON.parse(e.data)); });
    es.addEventListener("status", function (e) {
      var d = JSON.parse(e.data); state.tickets = state.tickets || {}; state.tickets[d.code] = d.status; save();
      if (d.status === "closed") listen();
    });
    es.onopen = function () { mine.fails = 0; };
    es.onerror = function () {  // the stream ends every few minutes and reconnects; a stream that keeps failing: poll
      if (es.readyState === 2 || ++mine.fails > 3) { es.close(); if (live === mine) live = null; poll(); }
    };
  }
  function fetchReplies() {  // on start (replies that came while the page was closed), and when polling
    if (!state.session_id) return;
    var mine = epoch;
    fetch("/api/sessions/" + state.session_id + "/messages?after=" + (state.lastReply || 0))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) {
        if (!b || mine !== epoch) return;
        b.messages.forEach(addReply);
        state.tickets = {}; b.tickets.forEach(function (x) { state.tickets[x.code] = x.status; }); save();
        if (!waiting().length) stopLive(); else if (!live && !poller) listen();
      }).catch(function () { /* offline: the next poll or the next visit */ });
  }

  function questionLang(turn) { return (turn.res && turn.res.language) || (VI.test(turn.q) ? "vi" : turn.lang || "vi"); }
  function show(turn) {
    if (turn.reply) { log.appendChild(renderClerk(turn.reply)); return; }
    var q = el("div", "msg q", turn.q); q.lang = questionLang(turn); log.appendChild(q);
    log.appendChild(turn.res ? renderAnswer(turn) : el("div", "msg a err", turn.err || t("err")));
  }
  function announce(res) { status.textContent = t("answered") + " " + shortText(res); }

  // Server-Sent Events over fetch: `token` events hold checked text as it is ready (shown as a draft), `final`
  // the answer to keep, `error` a message. Browsers without streaming bodies read the events all at once.
  function readEvents(r, onEvent) {
    function handle(block) {
      var name = (block.match(/^event: (.*)$/m) || [])[1], data = (block.match(/^data: (.*)$/m) || [])[1];
      if (name && data) onEvent(name, JSON.parse(data));
    }
    if (!r.body || !r.body.getReader) return r.text().then(function (all) { all.split("\n\n").forEach(handle); });
    var reader = r.body.getReader(), dec = new TextDecoder(), buf = "";
    function pump() {
      return reader.read().then(function (x) {
        if (x.done) { if (buf) handle(buf); return; }
        buf += dec.decode(x.value, {stream: true});
        var blocks = buf.split("\n\n"); buf = blocks.pop(); blocks.forEach(handle);
        return pump();
      });
    }
    return pump();
  }

  function ask(q, choice) {
    q = (q || "").trim(); if (!q) return;
    input.value = "";
    var mine = epoch, draft = "", settled = false;
    var question = el("div", "msg q", q); question.lang = VI.test(q) ? "vi" : lang;
    var pending = chrome("div", "msg a busy", "wait");
    log.appendChild(question); log.appendChild(pending); reveal(pending);
    function finish(turn) {
      if (settled || mine !== epoch) return;
      settled = true;
      turn.lang = lang;
      if (turn.res) state.session_id = turn.res.session_id;
      state.turns = (state.turns || []).concat([turn]).slice(-30); save();
      question.lang = questionLang(turn);
      var answer = turn.res ? renderAnswer(turn) : el("div", "msg a err", turn.err || t("err"));
      log.replaceChild(answer, pending);
      if (turn.res) announce(turn.res); else status.textContent = turn.err || t("err");
      toTop(question);  // the citizen's own question at the top, the short answer right under it
    }
    fetch("/api/chat", {method: "POST", headers: {"Content-Type": "application/json", "Accept": "text/event-stream",
      "X-Tthc-Client": embedded ? "widget" : "page"},  // for the commune's dashboard: where it was asked
      body: JSON.stringify({message: q, commune: commune, session_id: state.session_id || null, lang: lang, stream: true,
        choice: choice || null})})
      .then(function (r) {
        if (!r.ok) return r.json().then(function (body) { finish({q: q, err: body.message || t("err")}); });
        return readEvents(r, function (name, data) {
          if (settled || mine !== epoch) return;
          if (name === "token") { draft += data.text; pending.removeAttribute("data-t"); pending.textContent = draft; pending.className = "msg a draft"; }
          else if (name === "final") finish({q: q, res: data});
          else if (name === "error") finish({q: q, err: data.message || t("err")});
        }).then(function () { finish({q: q, err: t("err")}); });
      })
      .catch(function () { if (!settled && mine === epoch) { pending.removeAttribute("data-t"); pending.textContent = t("err"); pending.className = "msg a err"; } });
  }

  function notice(message) {  // an error the citizen must see: above the input bar, and read out
    var n = el("div", "msg a err", message); n.setAttribute("role", "alert"); log.appendChild(n); reveal(n);
  }

  // ---- voice: press the microphone, speak, press again (or wait 60 s); see what was understood, then the answer
  var mic = document.getElementById("mic"), recLabel = document.getElementById("rec"), recorder = null, chunks = [], timer = null;
  function stopTimer() { clearInterval(timer); recLabel.hidden = true; mic.setAttribute("aria-pressed", "false"); mic.classList.remove("on"); }
  function sendVoice(blob) {
    var mine = epoch, pending = chrome("div", "msg a busy", "sending"); log.appendChild(pending); reveal(pending);
    var fd = new FormData(); fd.append("audio", blob, "question.webm"); fd.append("commune", commune); fd.append("lang", lang);
    if (state.session_id) fd.append("session_id", state.session_id);
    fetch("/api/voice", {method: "POST", body: fd}).then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (x) {
        pending.remove();
        if (mine !== epoch) return;
        if (!x.ok) { notice(x.body.message || t("err")); return; }
        state.session_id = x.body.session_id;
        var turn = {q: "🎤 " + x.body.corrected, res: x.body, lang: lang};
        var heard = el("div", "msg q heard"); heard.lang = questionLang(turn);
        heard.appendChild(chrome("div", "lbl", "heard")); heard.appendChild(el("div", "said", x.body.corrected));
        var fix = button("edit", "edit"); fix.onclick = function () { input.value = x.body.corrected; input.focus(); };
        heard.appendChild(fix); log.appendChild(heard); log.appendChild(renderAnswer(turn));
        state.turns = (state.turns || []).concat([turn]).slice(-30); save();
        announce(x.body); toTop(heard);
      }).catch(function () { pending.removeAttribute("data-t"); pending.textContent = t("err"); pending.className = "msg a err"; });
  }
  mic.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    if (!navigator.mediaDevices || !window.MediaRecorder) { notice(t("nomic")); return; }
    navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
      chunks = []; recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
      recorder.onstop = function () { stream.getTracks().forEach(function (tr) { tr.stop(); }); stopTimer(); sendVoice(new Blob(chunks, {type: recorder.mimeType || "audio/webm"})); };
      recorder.start(); mic.setAttribute("aria-pressed", "true"); mic.classList.add("on");
      var started = Date.now(); recLabel.hidden = false;
      var tick = function () { var s = Math.floor((Date.now() - started) / 1000); recLabel.textContent = "⏺ 0:" + (s < 10 ? "0" : "") + s + " — " + t("rec"); if (s >= 59) recorder.stop(); };
      tick(); timer = setInterval(tick, 500);
    }).catch(function () { notice(t("denied")); });
  });

  // ---- a shared phone: the next person starts clean (text size and language stay)
  function newConversation() {
    stopSpeaking(); stopLive(); epoch++;
    delete state.session_id; delete state.tickets; delete state.lastReply; state.turns = []; save();
    log.textContent = ""; input.value = ""; status.textContent = t("cleared");
    window.scrollTo(0, 0); input.focus({preventScroll: true});
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
  document.getElementById("bigger").onclick = function () { setSize(2); fitBar(); };
  document.getElementById("smaller").onclick = function () { setSize(-2); fitBar(); };
  document.getElementById("lang").onchange = function (e) { lang = T[e.target.value] ? e.target.value : "vi"; state.lang = lang; save(); applyLang(); };
  document.getElementById("new").onclick = newConversation;
  // ---- "Xóa cuộc trò chuyện": the server forgets the session (questions, feedback, ticket contacts), then the phone
  function forgetConversation() {
    var id = state.session_id;
    var done = function () { newConversation(); status.textContent = t("forgotten"); notice(t("forgotten")); };
    if (!id) { done(); return; }
    fetch("/api/sessions/" + encodeURIComponent(id), {method: "DELETE"}).then(function (r) {
      if (r.ok) done(); else notice(t("err"));
    }).catch(function () { notice(t("err")); });
  }
  document.getElementById("forget").onclick = forgetConversation;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    if (speaking) { stopSpeaking(); return; }
    if (embedded) window.parent.postMessage({tthc: "close"}, "*");  // the widget closes its panel
  });
  if (embedded) {  // messages from the widget on the host page: open (focus the question box) and closed
    window.addEventListener("message", function (e) {
      if (e.source !== window.parent || !e.data) return;
      if (e.data.tthc === "focus") input.focus({preventScroll: true});
      else if (e.data.tthc === "hidden") stopSpeaking();
    });
  }
  if (embedded) document.getElementById("new").setAttribute("data-t", "newShort");  // the panel is narrow
  window.addEventListener("pagehide", stopSpeaking);
  if (window.ResizeObserver) new ResizeObserver(fitBar).observe(form);
  var person = button("person", "handoff"); person.id = "person";  // in the toolbar; in the widget's narrow panel
  person.onclick = function () { ask(t("handoffAsk")); };       // in its one-line title bar
  if (embedded) document.querySelector("header .title").appendChild(person);
  else document.querySelector(".tools").insertBefore(person, document.getElementById("new"));
  setSize(0); applyLang(); fitBar();
  (state.turns || []).forEach(show);
  fetchReplies();
  window.tthcAsk = ask;  // the voice feature hooks in here
})();
