// The content calendar: FullCalendar (from npm) fed by the workspace's events endpoint.
// Times are the workspace's wall-clock times: the calendar runs in "UTC" so that it shows them exactly as
// the server sends them ("2026-11-28T10:00:00"), and a drop is sent back the same way.
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
      time.textContent = pad(arg.event.start.getUTCHours()) + ":" + pad(arg.event.start.getUTCMinutes());
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
    var calendar = new FullCalendar.Calendar(el, {
      timeZone: "UTC",
      now: data.now || undefined,
      locale: data.locale || "en",
      firstDay: 1,
      initialView: views[data.initialView] ? data.initialView : "dayGridMonth",
      initialDate: data.initialDate || undefined,
      headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listMonth" },
      buttonText: { today: data.labelToday },
      views: views,
      height: "auto",
      dayMaxEvents: 4,
      allDaySlot: false,
      slotMinTime: "06:00:00",
      scrollTime: "08:00:00",
      defaultTimedEventDuration: "00:45",
      displayEventEnd: false,
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      editable: data.editable === "1",
      eventDurationEditable: false,
      events: { url: data.eventsUrl, extraParams: extra },
      eventContent: eventContent,
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        // Events are links (to the post page); keep the browser's own link dragging out of the way.
        info.el.setAttribute("draggable", "false");
        info.el.title = (p.platforms || []).map(function (x) { return x.label + " @" + x.handle; }).join(", ") +
          "\n" + p.statusLabel + (p.campaign ? " · " + p.campaign : "") + "\n" + (p.text || "");
      },
      dateClick: function (info) {
        if (!data.newUrl) return;
        var when = wallClock(info.date);
        if (info.allDay) when = when.slice(0, 10);
        window.location.href = data.newUrl + "?date=" + encodeURIComponent(when);
      },
      eventDrop: function (info) {
        var body = new URLSearchParams();
        body.set("start", wallClock(info.event.start));
        body.set("version", info.event.extendedProps.version);
        toast(data.moving, "info");
        fetch(info.event.extendedProps.moveUrl, {
          method: "POST",
          headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
          credentials: "same-origin",
          body: body.toString(),
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (payload) {
            if (!response.ok) {
              info.revert();
              toast((payload.error && payload.error.message) || data.failed, "error");
              return;
            }
            info.event.setExtendedProp("version", payload.version);
            toast(payload.message, "success");
          });
        }).catch(function () {
          info.revert();
          toast(data.failed, "error");
        });
      },
    });
    calendar.render();
    window.kawoCalendar = calendar;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
