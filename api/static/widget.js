// Embeddable chat: <script src="https://HOST/widget.js" data-commune="CODE" async></script>
// Options: data-color="#b3261e" data-position="right|left" data-label="Hỏi đáp TTHC".
// The chat runs in an iframe inside a shadow root: host styles cannot reach it, and it cannot reach them.
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

  var host = document.createElement("div");
  host.setAttribute("data-tthc-widget", "");
  host.style.cssText = "all:initial;position:fixed;bottom:16px;" + side + ":16px;z-index:2147483000";
  var shadow = host.attachShadow({mode: "open"});
  var style = document.createElement("style");
  style.textContent =
    ".btn{all:initial;display:flex;align-items:center;gap:8px;cursor:pointer;background:" + color + ";color:#fff;" +
    "font:600 16px system-ui,sans-serif;padding:12px 16px;border-radius:28px;box-shadow:0 4px 14px rgba(0,0,0,.3)}" +
    ".btn:focus-visible{outline:3px solid #1a73e8}" +
    ".panel{display:none;position:fixed;bottom:76px;" + side + ":16px;width:min(400px,calc(100vw - 32px));" +
    "height:min(640px,calc(100vh - 100px));border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.35);background:#fff}" +
    ".panel.open{display:block}iframe{border:0;width:100%;height:100%}";
  var button = document.createElement("button");
  button.className = "btn"; button.type = "button"; button.textContent = "💬 " + label;
  button.setAttribute("aria-expanded", "false");
  var panel = document.createElement("div"); panel.className = "panel";
  button.addEventListener("click", function () {
    if (!panel.firstChild) {
      var frame = document.createElement("iframe");
      frame.title = label; frame.allow = "microphone";
      frame.src = origin + "/c/" + encodeURIComponent(code) + "?embed=1&src=widget";
      panel.appendChild(frame);
    }
    var open = panel.classList.toggle("open");
    button.setAttribute("aria-expanded", String(open));
  });
  shadow.appendChild(style); shadow.appendChild(panel); shadow.appendChild(button);
  (document.body || document.documentElement).appendChild(host);
})();
