// The content calendar: FullCalendar (from npm) fed by the workspace's events endpoint.
// Times are the workspace's wall-clock times: the calendar runs in "UTC" so that it shows them exactly as
// the server sends them ("2026-11-28T10:00:00"), and a drop is sent back the same way.
// Around a clock change a wall time can happen twice (a fall-back day's 01:30): the server labels such
// events with their UTC offset ("01:30 (UTC-5)"), and a drop on such a time, or on one the clocks skip,
// is answered with the times to choose from, which the person picks here.
// The week view shows every hour: it opens scrolled to working hours, and says how many posts are
// earlier in the day (a button scrolls up to them).
(function () {
  "use strict";

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  var toastTimer = null;
  function toast(message, kind) {
    var el = document.getElementById("cal-toast");
    if (!el) return;
    el.textContent = message;
    el.className = "cal-toast is-" + (kind || "info");
    el.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { el.hidden = true; }, kind === "error" ? 9000 : 4000);
  }

  function wallClock(date) {
    // The calendar runs in UTC mode: the UTC fields of the Date are the workspace's wall clock.
    return date.toISOString().slice(0, 19);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function eventContent(arg) {
    var props = arg.event.extendedProps;
    var root = document.createElement("div");
    root.className = "ev";
    root.setAttribute("data-testid", "calendar-post");
    root.setAttribute("data-post-id", arg.event.id);
    var top = document.createElement("div");
    top.className = "ev-top";
    if (arg.event.start) {
      var time = document.createElement("span");
      time.className = "ev-time";
      var label = props.timeLabel ||
        pad(arg.event.start.getUTCHours()) + ":" + pad(arg.event.start.getUTCMinutes());
      var cut = label.indexOf(" (");
      time.textContent = cut < 0 ? label : label.slice(0, cut + 1);
      if (cut >= 0) {
        // "(UTC-4)": one of two repeated wall times, kept in one piece when the column is narrow.
        var offset = document.createElement("span");
        offset.className = "ev-offset";
        offset.textContent = label.slice(cut + 1);
        time.appendChild(offset);
      }
      time.setAttribute("data-testid", "event-time");
      top.appendChild(time);
    }
    var marks = document.createElement("span");
    marks.className = "ev-marks";
    (props.platforms || []).forEach(function (p) {
      var mark = document.createElement("span");
      mark.className = "ev-mark";
      mark.style.background = p.color;
      mark.textContent = p.mark;
      mark.title = p.label + " · @" + p.handle;
      mark.setAttribute("data-platform", p.platform);
      marks.appendChild(mark);
    });
    top.appendChild(marks);
    var status = document.createElement("span");
    status.className = "ev-status";
    status.textContent = props.statusLabel;
    top.appendChild(status);
    root.appendChild(top);
    var title = document.createElement("div");
    title.className = "ev-title";
    title.textContent = arg.event.title;
    root.appendChild(title);
    if (props.workspace) {
      var ws = document.createElement("div");
      ws.className = "ev-ws";
      ws.textContent = props.workspace;
      root.appendChild(ws);
    }
    if (props.campaignColor) root.style.setProperty("--campaign", props.campaignColor);
    return { domNodes: [root] };
  }

  var WORK_STARTS = "08:00:00";
  var WEEK_HEIGHT = 760;
  var WORK_STARTS_HOUR = 8;

  // The week (and day) view: how many of the shown posts are before working hours, with a button that
  // scrolls up to them (the grid opens at 08:00 but hides no hour).
  function updateEarly(calendar, data) {
    var box = document.getElementById("cal-early");
    if (!box) return;
    var view = calendar.view;
    if (!view || view.type.indexOf("timeGrid") !== 0) { box.hidden = true; return; }
    var earliest = null;
    var count = calendar.getEvents().filter(function (event) {
      if (!event.start || event.start < view.activeStart || event.start >= view.activeEnd) return false;
      if (event.start.getUTCHours() >= WORK_STARTS_HOUR) return false;
      var at = pad(event.start.getUTCHours()) + ":" + pad(event.start.getUTCMinutes());
      if (earliest === null || at < earliest) earliest = at;
      return true;
    }).length;
    if (!count) { box.hidden = true; return; }
    box.hidden = false;
    var button = box.querySelector("button");
    button.textContent = "↑ " + (count === 1 ? data.earlyOne : data.earlyMany).replace("%(count)s", count)
      .replace("%(time)s", WORK_STARTS.slice(0, 5));
    button.onclick = function () { calendar.scrollToTime(earliest + ":00"); };
  }

  // A drop on a time the clocks skip or repeat: the server's options as buttons, the answer is the pick.
  function chooseTime(message, options, cancelLabel) {
    return new Promise(function (resolve) {
      var el = document.getElementById("cal-toast");
      if (!el) { resolve(null); return; }
      window.clearTimeout(toastTimer);
      el.textContent = "";
      el.className = "cal-toast is-choice";
      var text = document.createElement("p");
      text.textContent = message;
      el.appendChild(text);
      var row = document.createElement("div");
      row.className = "cal-choices";
      function done(value) { el.hidden = true; resolve(value); }
      options.forEach(function (option) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-primary";
        button.textContent = option.text;
        button.setAttribute("data-choice", option.choice);
        button.onclick = function () { done(option.choice); };
        row.appendChild(button);
      });
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "btn";
      cancel.textContent = cancelLabel;
      cancel.onclick = function () { done(null); };
      row.appendChild(cancel);
      el.appendChild(row);
      el.hidden = false;
    });
  }

  function init() {
    var el = document.getElementById("calendar");
    if (!el || !window.FullCalendar) return;
    var data = el.dataset;
    var params = new URLSearchParams(data.filters || "");
    var extra = {};
    params.forEach(function (value, key) { if (value && key !== "view" && key !== "date") extra[key] = value; });
    var views = {
      dayGridMonth: { buttonText: data.labelMonth },
      timeGridWeek: { buttonText: data.labelWeek },
      listMonth: { buttonText: data.labelList },
    };
    var initialView = views[data.initialView] ? data.initialView : "dayGridMonth";
    // The week's grid has a height of its own, so that the whole day (00:00-24:00) is there and scrolls,
    // opening at working hours; the month and the list grow with their content.
    function heightFor(viewType) { return viewType.indexOf("timeGrid") === 0 ? WEEK_HEIGHT : "auto"; }
    var calendar;
    calendar = new FullCalendar.Calendar(el, {
      timeZone: "UTC",
      now: data.now || undefined,
      locale: data.locale || "en",
      firstDay: 1,
      initialView: initialView,
      initialDate: data.initialDate || undefined,
      headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listMonth" },
      buttonText: { today: data.labelToday },
      views: views,
      height: heightFor(initialView),
      dayMaxEvents: 4,
      allDaySlot: false,
      slotMinTime: "00:00:00",
      slotMaxTime: "24:00:00",
      scrollTime: WORK_STARTS,
      defaultTimedEventDuration: "00:45",
      displayEventEnd: false,
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      // Two posts at one wall time (a fall-back day's two 01:30s) in the order they happen.
      eventOrder: "start,-duration,allDay,instant,title",
      editable: data.editable === "1",
      eventDurationEditable: false,
      events: { url: data.eventsUrl, extraParams: extra },
      eventContent: eventContent,
      eventsSet: function () { updateEarly(calendar, data); },
      datesSet: function (arg) {
        var height = heightFor(arg.view.type);
        if (calendar.getOption("height") !== height) calendar.setOption("height", height);
        updateEarly(calendar, data);
      },
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        // Events are links (to the post page); keep the browser's own link dragging out of the way.
        info.el.setAttribute("draggable", "false");
        info.el.title = (p.timeLabel ? p.timeLabel + " · " : "") +
          (p.platforms || []).map(function (x) { return x.label + " @" + x.handle; }).join(", ") +
          "\n" + p.statusLabel + (p.campaign ? " · " + p.campaign : "") + "\n" + (p.text || "");
      },
      dateClick: function (info) {
        if (!data.newUrl) return;
        var when = wallClock(info.date);
        if (info.allDay) when = when.slice(0, 10);
        window.location.href = data.newUrl + "?date=" + encodeURIComponent(when);
      },
      eventDrop: function (info) {
        var start = wallClock(info.event.start);
        function send(choice) {
          var body = new URLSearchParams();
          body.set("start", start);
          body.set("version", info.event.extendedProps.version);
          if (choice) body.set("time_choice", choice);
          toast(data.moving, "info");
          return fetch(info.event.extendedProps.moveUrl, {
            method: "POST",
            headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
            credentials: "same-origin",
            body: body.toString(),
          }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (payload) {
              var error = payload.error;
              if (!response.ok && error && error.options && error.options.length && !choice) {
                // A time the clocks skip or repeat: the person picks one of the server's times.
                return chooseTime(error.message, error.options, data.cancel).then(function (picked) {
                  if (picked) return send(picked);
                  info.revert();
                });
              }
              if (!response.ok) {
                info.revert();
                toast((error && error.message) || data.failed, "error");
                return;
              }
              info.event.setExtendedProp("version", payload.version);
              if (payload.start && payload.start !== start) {
                info.event.setStart(payload.start);  // moved forward past a gap: show where it went
              }
              if (payload.timeLabel !== undefined) info.event.setExtendedProp("timeLabel", payload.timeLabel);
              toast(payload.message, "success");
            });
          });
        }
        send(null).catch(function () {
          info.revert();
          toast(data.failed, "error");
        });
      },
    });
    calendar.render();
    window.kawoCalendar = calendar;
    updateEarly(calendar, data);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
