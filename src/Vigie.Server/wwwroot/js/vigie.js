// Small progressive enhancements; every page works without this script.
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form on change (the button stays for keyboard users).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Buttons marked data-confirm ask before submitting a destructive action.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (e) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();

// Live updates: tables marked data-live="<kind>" receive new rows from /live (server-sent events),
// already filtered by the server to the reader's scope and roles.
(function () {
  "use strict";
  var targets = document.querySelectorAll("[data-live]");
  if (targets.length === 0 || !window.EventSource) { return; }
  var body = document.body;
  var formatter = new Intl.DateTimeFormat(body.dataset.lang === "en" ? "en-GB" : "fr-FR", {
    timeZone: body.dataset.zone || "Africa/Casablanca", year: "numeric", month: body.dataset.lang === "en" ? "short" : "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false
  });
  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (className) { td.className = className; }
    return td;
  }
  var renderers = {
    "security-event": function (tbody, message) {
      var d = message.data;
      var tr = document.createElement("tr");
      tr.className = "live-new";
      var time = document.createElement("td");
      var t = document.createElement("time");
      t.dateTime = d.time_utc;
      t.textContent = formatter.format(new Date(d.time_utc)).replace(",", "");
      time.appendChild(t);
      tr.appendChild(time);
      tr.appendChild(cell(d.action));
      tr.appendChild(cell(d.actor));
      tr.appendChild(cell(d.target));
      tr.appendChild(cell(message.establishment));
      tr.appendChild(cell(tbody.dataset[d.outcome] || d.outcome, d.outcome));
      return tr;
    }
  };
  var source = new EventSource("/live");
  targets.forEach(function (tbody) {
    var kind = tbody.dataset.live;
    source.addEventListener(kind, function (e) {
      var render = renderers[kind];
      if (!render) { return; }
      tbody.insertBefore(render(tbody, JSON.parse(e.data)), tbody.firstChild);
      while (tbody.rows.length > 50) { tbody.deleteRow(tbody.rows.length - 1); }
    });
  });
})();
