// Progressive enhancement: add the visitor's own local time beside server-rendered times.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  // The page's language (<html lang>), not the browser's: the added time reads like the page.
  var chinese = /^zh/i.test(document.documentElement.lang || "");
  var locale = chinese ? "zh-Hant-HK" : undefined;
  var fmt = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  var day = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short" });
  document.querySelectorAll("time[data-localtime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) { return; }
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = chinese
      ? "（你的時間：" + day.format(when) + " " + fmt.format(when) + "）"
      : " (" + day.format(when) + ", " + fmt.format(when) + " your time)";
    el.after(span);
  });
  document.querySelectorAll("input[data-browser-timezone]").forEach(function (el) {
    if (!el.value) { el.value = zone; }
  });
})();
