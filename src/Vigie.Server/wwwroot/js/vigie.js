// Small progressive enhancements; every page works without this script.
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form on change (the button stays for keyboard users).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A header checkbox marked data-select-all="name" ticks every checkbox of that name in its table.
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var table = all.closest("table");
      table.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-select-all") + "']").forEach(function (box) {
        box.checked = all.checked;
      });
    });
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
    timeZone: "UTC", year: "numeric", month: body.dataset.lang === "en" ? "short" : "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false
  });
  // The reader's wall clock: the server's offset of their zone applied to the UTC instant (see _Layout).
  var offsetMinutes = parseInt(body.dataset.offset || "0", 10) || 0;
  function local(utc) { return new Date(new Date(utc).getTime() + offsetMinutes * 60000); }
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
      t.textContent = formatter.format(local(d.time_utc)).replace(",", "");
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
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function span(className, text) {
    var s = document.createElement("span");
    s.className = className;
    s.textContent = text;
    return s;
  }
  function listed(filter, value) {
    return !filter || filter.split(",").indexOf(value) >= 0;
  }
  renderers.alert = function (tbody, message) {
    var d = message.data;
    // The queue's own filters apply to live rows as to the page (the server already applied scope and roles).
    if (!listed(tbody.dataset.filterSeverity, d.severity) || !listed(tbody.dataset.filterCategory, d.category)) { return null; }
    if (tbody.querySelector("tr[data-id='" + d.id + "']")) { return null; }
    var labels = JSON.parse(tbody.dataset.labels || "{}");
    var tr = document.createElement("tr");
    tr.className = "live-new";
    tr.dataset.id = d.id;
    var pick = document.createElement("td");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = "ids";
    box.value = d.id;
    box.setAttribute("aria-label", (labels.select || "Select alert") + " " + d.id);
    pick.appendChild(box);
    tr.appendChild(pick);
    var severity = document.createElement("td");
    severity.appendChild(span("badge sev-" + d.severity, labels[d.severity] || d.severity));
    tr.appendChild(severity);
    var title = document.createElement("td");
    title.appendChild(link("/alerts/" + d.id, d.title));
    tr.appendChild(title);
    tr.appendChild(cell(message.establishment));
    tr.appendChild(cell(d.entity));
    tr.appendChild(cell(d.count, "num"));
    var seen = document.createElement("td");
    var t = document.createElement("time");
    t.dateTime = d.last_seen_utc;
    t.textContent = formatter.format(local(d.last_seen_utc)).replace(",", "");
    seen.appendChild(t);
    tr.appendChild(seen);
    var status = document.createElement("td");
    status.appendChild(span("status st-" + d.status, labels[d.status] || d.status));
    tr.appendChild(status);
    tr.appendChild(cell(""));
    return tr;
  };
  var source = new EventSource("/live");
  targets.forEach(function (tbody) {
    var kind = tbody.dataset.live;
    source.addEventListener(kind, function (e) {
      var render = renderers[kind];
      if (!render) { return; }
      var row = render(tbody, JSON.parse(e.data));
      if (!row) { return; }
      tbody.insertBefore(row, tbody.firstChild);
      var empty = document.querySelector(".empty");
      if (empty) { empty.remove(); }
      while (tbody.rows.length > 50) { tbody.deleteRow(tbody.rows.length - 1); }
    });
  });
})();

// Running regulatory clocks count down without reloading: every [data-deadline] shows the time left.
(function () {
  "use strict";
  var clocks = document.querySelectorAll("[data-deadline]");
  if (clocks.length === 0) { return; }
  var french = document.body.dataset.lang !== "en";
  function describe(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days > 0) { parts.push(days + (french ? " j" : " d")); }
    if (hours > 0) { parts.push(hours + " h"); }
    if (days === 0) { parts.push(mins + " min"); }
    var text = parts.join(" ");
    if (ms >= 0) { return french ? text + " restants" : text + " left"; }
    return french ? "en retard de " + text : "overdue by " + text;
  }
  function tick() {
    clocks.forEach(function (el) {
      var left = new Date(el.dataset.deadline).getTime() - Date.now();
      el.textContent = (el.dataset.prefix ? el.dataset.prefix + " · " : "") + describe(left);
      el.classList.toggle("clock-overdue", left < 0);
      el.classList.toggle("clock-running", left >= 0);
    });
  }
  window.setInterval(tick, 30000);
})();
