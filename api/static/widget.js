// Embeddable chat: <script src="https://HOST/widget.js" data-commune="CODE" async></script>
// Options: data-color="#b3261e" data-position="right|left" data-label="Hỏi đáp TTHC"
//          data-offset="80" (pixels between the launcher and the bottom of the window, e.g. above a cookie bar).
// The chat runs in an iframe inside a shadow root: host styles cannot reach it, and it cannot reach them.
// Escape or the ✕ closes the panel and gives the focus back to the launcher; opening moves the focus into the chat.
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="widget.js"][data-commune]');
  if (!script || window.__tthcWidget) return;
  window.__tthcWidget = true;
  var origin = new URL(script.src, location.href).origin;
  var code = (script.dataset.commune || "").replace(/[^0-9]/g, "");
  var color = /^#[0-9a-fA-F]{3,8}$/.test(script.dataset.color || "") ? script.dataset.color : "#b3261e";
  var side = script.dataset.position === "left" ? "left" : "right";
  var label = (script.dataset.label || "Hỏi đáp thủ tục hành chính").slice(0, 60);
  var offset = parseInt(script.dataset.offset, 10);
  offset = isNaN(offset) ? 16 : Math.min(400, Math.max(0, offset));

  var host = document.createElement("div");
  host.setAttribute("data-tthc-widget", "");
  host.style.cssText = "all:initial;position:fixed;bottom:" + offset + "px;" + side + ":16px;z-index:2147483000";
  var shadow = host.attachShadow({mode: "open"});
  var style = document.createElement("style");
  style.textContent =
    ".btn{all:initial;display:flex;align-items:center;gap:8px;cursor:pointer;background:" + color + ";color:#fff;" +
    "font:600 16px system-ui,sans-serif;padding:12px 16px;border-radius:28px;box-shadow:0 4px 14px rgba(0,0,0,.3)}" +
    ".btn:focus-visible,.close:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}" +
    ".panel{display:none;position:fixed;bottom:" + (offset + 60) + "px;" + side + ":16px;width:min(400px,calc(100vw - 32px));" +
    "height:min(640px,calc(100vh - " + (offset + 84) + "px));border-radius:12px;overflow:hidden;" +
    "box-shadow:0 8px 30px rgba(0,0,0,.35);background:#fff}" +
    ".panel.open{display:block}iframe{border:0;width:100%;height:100%;display:block}" +
    ".close{all:initial;position:absolute;top:2px;right:4px;width:36px;height:36px;display:flex;align-items:center;" +
    "justify-content:center;cursor:pointer;border-radius:18px;background:#333;color:#fff;" +
    "font:700 20px system-ui,sans-serif}";
  var button = document.createElement("button");
  button.className = "btn"; button.type = "button"; button.textContent = "💬 " + label;
  button.setAttribute("aria-expanded", "false");
  var panel = document.createElement("div"); panel.className = "panel";
  panel.setAttribute("role", "dialog"); panel.setAttribute("aria-label", label); panel.id = "tthc-panel";
  button.setAttribute("aria-controls", panel.id);
  var close = document.createElement("button");
  close.className = "close"; close.type = "button"; close.textContent = "✕";
  close.setAttribute("aria-label", "Đóng"); close.title = "Đóng";
  var frame = null;

  function post(message) { if (frame && frame.contentWindow) frame.contentWindow.postMessage(message, origin); }
  function focusChat() { if (!frame) return; frame.focus({preventScroll: true}); post({tthc: "focus"}); }
  function isOpen() { return panel.classList.contains("open"); }
  function openPanel() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = label; frame.allow = "microphone";
      frame.src = origin + "/c/" + encodeURIComponent(code) + "?embed=1&src=widget";
      frame.addEventListener("load", function () { if (isOpen()) focusChat(); });
      panel.insertBefore(frame, close);
    }
    panel.classList.add("open"); button.setAttribute("aria-expanded", "true");
    focusChat();
  }
  function closePanel() {
    if (!isOpen()) return;
    panel.classList.remove("open"); button.setAttribute("aria-expanded", "false");
    post({tthc: "hidden"});
    button.focus({preventScroll: true});
  }
  button.addEventListener("click", function () { if (isOpen()) closePanel(); else openPanel(); });
  close.addEventListener("click", closePanel);
  shadow.addEventListener("keydown", function (e) { if (e.key === "Escape" && isOpen()) { e.preventDefault(); closePanel(); } });
  // Escape pressed inside the chat: the page there asks us to close
  window.addEventListener("message", function (e) {
    if (frame && e.source === frame.contentWindow && e.origin === origin && e.data && e.data.tthc === "close") closePanel();
  });
  panel.appendChild(close);
  shadow.appendChild(style); shadow.appendChild(panel); shadow.appendChild(button);
  (document.body || document.documentElement).appendChild(host);
})();
