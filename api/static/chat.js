// The commune chat page. Everything from the server or the user goes into textContent, never innerHTML.
(function () {
  "use strict";
  var root = document.getElementById("app");
  var commune = root.dataset.commune;
  var KEY = "tthc:" + commune;
  var T = {
    vi: {ph: "Nhập câu hỏi, ví dụ: làm giấy khai sinh cần gì", send: "Gửi", docs: "Hồ sơ cần chuẩn bị",
      fee: "Phí, lệ phí", time: "Thời hạn", where: "Nơi nộp, cách nộp", legal: "Căn cứ pháp lý",
      src: "Nguồn chính thức", read: "🔊 Đọc to", up: "👍 Hữu ích", down: "👎 Chưa đúng", thanks: "Cảm ơn bạn đã góp ý!",
      full: "Xem đầy đủ câu trả lời", err: "Không gửi được câu hỏi. Vui lòng thử lại.", wait: "Đang tìm câu trả lời…",
      greet: "Xin chào! Tôi trả lời câu hỏi về thủ tục hành chính, dựa trên văn bản chính thức. Bạn cần làm thủ tục gì?",
      note: "Câu trả lời mang tính hướng dẫn. Trung tâm Phục vụ hành chính công là nơi có ý kiến cuối cùng.",
      bigger: "A+", smaller: "A−", lang: "English", mic: "🎤", notes: "Lưu ý"},
    en: {ph: "Type a question, e.g. what do I need to register a birth", send: "Send", docs: "Documents to bring",
      fee: "Fee", time: "Time limit", where: "Where and how to submit", legal: "Legal basis", src: "Official source",
      read: "🔊 Read aloud", up: "👍 Helpful", down: "👎 Not right", thanks: "Thank you for your feedback!",
      full: "Show the full answer", err: "The question could not be sent. Please try again.", wait: "Looking for the answer…",
      greet: "Hello! I answer questions about administrative procedures from the official texts. What do you need to do?",
      note: "Answers are guidance. The Public Administration Service Center has the final word.",
      bigger: "A+", smaller: "A−", lang: "Tiếng Việt", mic: "🎤", notes: "Notes"}
  };
  var SUGG = {vi: ["Làm giấy khai sinh cần gì", "Đăng ký kết hôn", "Đăng ký thường trú", "Đăng ký tạm trú",
    "Làm căn cước", "Chứng thực bản sao", "Đăng ký khai tử", "Trợ cấp xã hội người cao tuổi"],
    en: ["How do I register a birth?", "Marriage registration", "Temporary residence", "Certified copy"]};
  var state = load();
  var lang = state.lang || "vi";
  var log = document.getElementById("log");
  var input = document.getElementById("q");

  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; } }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ } }
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; }
  function t(k) { return T[lang][k]; }

  function applyLang() {
    document.documentElement.lang = lang;
    input.placeholder = t("ph");
    document.getElementById("send").textContent = t("send");
    document.getElementById("lang").textContent = t("lang");
    document.getElementById("greet").textContent = t("greet");
    document.getElementById("note").textContent = t("note");
    var s = document.getElementById("sugg"); s.textContent = "";
    SUGG[lang].forEach(function (q) { var b = el("button", null, q); b.type = "button"; b.onclick = function () { ask(q); }; s.appendChild(b); });
  }

  function setSize(delta) {
    var size = Math.min(28, Math.max(14, (state.fs || 18) + delta)); state.fs = size; save();
    document.documentElement.style.setProperty("--fs", size + "px");
  }

  function speak(text) {
    if (!("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    var u = new SpeechSynthesisUtterance(text.replace(/\[[^\]]+\]/g, "").replace(/https?:\/\/\S+/g, ""));
    u.lang = lang === "en" ? "en-US" : "vi-VN";
    var v = window.speechSynthesis.getVoices().filter(function (x) { return x.lang && x.lang.indexOf(u.lang.slice(0, 2)) === 0; })[0];
    if (v) u.voice = v;
    window.speechSynthesis.speak(u);
  }

  function list(items) { var ul = el("ul"); items.forEach(function (x) { ul.appendChild(el("li", null, x)); }); return ul; }
  function uniq(a) { return a.filter(function (x, i) { return x && a.indexOf(x) === i; }); }

  function renderChoices(res) {
    // not sure which procedure: the citizen taps one, and the question is answered with it
    var box = el("div", "msg a choices"); box.setAttribute("role", "article");
    box.appendChild(el("div", "lead", res.answer.split("\n")[0]));
    var chips = el("div", "sugg chips"); chips.setAttribute("role", "group");
    res.choices.forEach(function (c, i) {
      var b = el("button", "chip", (i + 1) + ". " + c.title); b.type = "button"; b.dataset.code = c.procedure_id;
      b.onclick = function () { ask(c.title, c.procedure_id); };
      chips.appendChild(b);
    });
    box.appendChild(chips);
    return box;
  }

  function renderAnswer(res) {
    if (res.kind === "choices" && res.choices && res.choices.length) return renderChoices(res);
    var box = el("div", "msg a"); box.setAttribute("role", "article");
    var card = res.card, generated = res.generator && res.generator !== "extractive";
    if (generated) box.appendChild(el("div", "lead gen", res.answer));
    if (card && card.kind === "procedure") {
      box.appendChild(el("h2", null, card.title));
      box.appendChild(el("div", "code", (card.level_labels || []).join(", ") + " · " + card.code));
      var hl = el("div", "hl");
      var fee = el("div"); fee.appendChild(el("b", null, t("fee"))); fee.appendChild(document.createTextNode(uniq(card.channels.map(function (c) { return c.fee; })).join(" · ") || "—")); hl.appendChild(fee);
      var tm = el("div"); tm.appendChild(el("b", null, t("time"))); tm.appendChild(document.createTextNode(uniq(card.channels.map(function (c) { return c.time; })).join(" · ") || "—")); hl.appendChild(tm);
      box.appendChild(hl);
      var docs = card.documents.filter(function (d) { return d.quantity.indexOf("0 ") !== 0; });
      if (docs.length) { box.appendChild(el("h2", null, t("docs"))); box.appendChild(list(docs.map(function (d) { return d.name + (d.quantity ? " (" + d.quantity + ")" : ""); }))); }
      if (card.channels.length) { box.appendChild(el("h2", null, t("where"))); box.appendChild(el("div", "lead", card.channels.map(function (c) { return c.channel + (c.note ? " — " + c.note : ""); }).join("\n"))); }
      if (!generated) { var full = el("details"); full.appendChild(el("summary", null, t("full"))); full.appendChild(el("div", "lead", res.answer)); box.appendChild(full); }
    } else if (!generated) {
      box.appendChild(el("div", "lead", res.answer));
    }
    if (res.sources && res.sources.length) {
      var src = el("div", "src"); src.appendChild(document.createTextNode(t("src") + ": "));
      var a = el("a", null, res.sources[0].title + " [" + res.sources[0].procedure_id + "]");
      a.href = res.sources[0].url; a.target = "_blank"; a.rel = "noopener noreferrer"; src.appendChild(a); box.appendChild(src);
    }
    var row = el("div", "row");
    var read = el("button", null, t("read")); read.type = "button"; read.onclick = function () { speak(res.answer); }; row.appendChild(read);
    ["up", "down"].forEach(function (r) {
      var b = el("button", "fb", t(r)); b.type = "button";
      b.onclick = function () { feedback(res, r, row); }; row.appendChild(b);
    });
    box.appendChild(row);
    return box;
  }

  function feedback(res, rating, row) {
    fetch("/api/feedback", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({session_id: res.session_id, turn_id: res.turn_id, rating: rating})})
      .then(function (r) { if (r.ok) { row.querySelectorAll(".fb").forEach(function (b) { b.disabled = true; }); row.appendChild(el("span", null, t("thanks"))); } });
  }

  function show(turn) {
    log.appendChild(el("div", "msg q", turn.q));
    log.appendChild(turn.res ? renderAnswer(turn.res) : el("div", "msg a err", turn.err || t("err")));
  }

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
    var pending = el("div", "msg a busy", t("wait")), draft = "", settled = false;
    log.appendChild(el("div", "msg q", q)); log.appendChild(pending); pending.scrollIntoView({block: "end"});
    function finish(turn) {
      settled = true; pending.remove(); log.lastChild.remove();
      if (turn.res) state.session_id = turn.res.session_id;
      state.turns = (state.turns || []).concat([turn]).slice(-30); save(); show(turn);
      log.lastChild.scrollIntoView({block: "start"});
    }
    fetch("/api/chat", {method: "POST", headers: {"Content-Type": "application/json", "Accept": "text/event-stream"},
      body: JSON.stringify({message: q, commune: commune, session_id: state.session_id || null, lang: lang, stream: true,
        choice: choice || null})})
      .then(function (r) {
        if (!r.ok) return r.json().then(function (body) { finish({q: q, err: body.message || t("err")}); });
        return readEvents(r, function (name, data) {
          if (settled) return;
          if (name === "token") { draft += data.text; pending.textContent = draft; pending.className = "msg a draft"; }
          else if (name === "final") finish({q: q, res: data});
          else if (name === "error") finish({q: q, err: data.message || t("err")});
        }).then(function () { if (!settled) finish({q: q, err: t("err")}); });
      })
      .catch(function () { if (!settled) { pending.textContent = t("err"); pending.className = "msg a err"; } });
  }

  // ---- voice: press the microphone, speak, press again (or wait 60 s); see what was understood, then the answer
  var mic = document.getElementById("mic"), recLabel = document.getElementById("rec"), recorder = null, chunks = [], timer = null;
  var V = {vi: {rec: "Đang ghi âm… bấm 🎤 để gửi", denied: "Trình duyệt không cho dùng micro. Hãy cho phép micro trong cài đặt trình duyệt, hoặc gõ câu hỏi.",
    nomic: "Thiết bị này không ghi âm được. Vui lòng gõ câu hỏi.", heard: "Tôi nghe được:", edit: "✏️ Sửa và gửi lại", sending: "Đang nhận dạng giọng nói…"},
    en: {rec: "Recording… tap 🎤 to send", denied: "The browser blocked the microphone. Allow it in the browser settings, or type the question.",
    nomic: "This device cannot record. Please type the question.", heard: "I understood:", edit: "✏️ Edit and resend", sending: "Recognising speech…"}};
  function v(k) { return V[lang][k]; }
  function stopTimer() { clearInterval(timer); recLabel.hidden = true; mic.setAttribute("aria-pressed", "false"); mic.classList.remove("on"); }
  function sendVoice(blob) {
    var pending = el("div", "msg a busy", v("sending")); log.appendChild(pending); pending.scrollIntoView({block: "end"});
    var fd = new FormData(); fd.append("audio", blob, "question.webm"); fd.append("commune", commune); fd.append("lang", lang);
    if (state.session_id) fd.append("session_id", state.session_id);
    fetch("/api/voice", {method: "POST", body: fd}).then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (x) {
        pending.remove();
        if (!x.ok) { log.appendChild(el("div", "msg a err", x.body.message || t("err"))); return; }
        state.session_id = x.body.session_id;
        var heard = el("div", "msg q heard"); heard.appendChild(el("div", "lbl", v("heard"))); heard.appendChild(el("div", "said", x.body.corrected));
        var fix = el("button", "edit", v("edit")); fix.type = "button"; fix.onclick = function () { input.value = x.body.corrected; input.focus(); };
        heard.appendChild(fix); log.appendChild(heard); log.appendChild(renderAnswer(x.body));
        state.turns = (state.turns || []).concat([{q: "🎤 " + x.body.corrected, res: x.body}]).slice(-30); save();
        log.lastChild.scrollIntoView({block: "start"});
      }).catch(function () { pending.textContent = t("err"); pending.className = "msg a err"; });
  }
  mic.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    if (!navigator.mediaDevices || !window.MediaRecorder) { log.appendChild(el("div", "msg a err", v("nomic"))); return; }
    navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
      chunks = []; recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
      recorder.onstop = function () { stream.getTracks().forEach(function (tr) { tr.stop(); }); stopTimer(); sendVoice(new Blob(chunks, {type: recorder.mimeType || "audio/webm"})); };
      recorder.start(); mic.setAttribute("aria-pressed", "true"); mic.classList.add("on");
      var started = Date.now(); recLabel.hidden = false;
      var tick = function () { var s = Math.floor((Date.now() - started) / 1000); recLabel.textContent = "⏺ 0:" + (s < 10 ? "0" : "") + s + " — " + v("rec"); if (s >= 59) recorder.stop(); };
      tick(); timer = setInterval(tick, 500);
    }).catch(function () { log.appendChild(el("div", "msg a err", v("denied"))); log.lastChild.scrollIntoView({block: "end"}); });
  });

  document.getElementById("f").addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
  document.getElementById("bigger").onclick = function () { setSize(2); };
  document.getElementById("smaller").onclick = function () { setSize(-2); };
  document.getElementById("lang").onclick = function () { lang = lang === "vi" ? "en" : "vi"; state.lang = lang; save(); applyLang(); };
  setSize(0); applyLang();
  (state.turns || []).forEach(show);
  window.tthcAsk = ask;  // the voice feature hooks in here
})();
