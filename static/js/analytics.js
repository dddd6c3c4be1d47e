/* Analytics charts (Apache ECharts). Each `[data-chart]` element names its kind and the JSON API URL it
   reads (the same endpoints scripts use); labels come from the page (#analytics-labels, translated on the
   server), numbers are formatted for the page's language with Intl. When a chart has drawn, its element
   gets data-chart-ready="1" (browser tests wait for it). */
(function () {
  "use strict";

  const lang = document.documentElement.lang || "en";
  const locale = lang.toLowerCase().startsWith("zh") ? "zh-CN" : lang;
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const palette = ["#4f46e5", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6"];

  const dates = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });

  function shortDate(isoDay) {
    return dates.format(new Date(isoDay + "T00:00:00Z"));
  }

  function labels() {
    const node = document.getElementById("analytics-labels");
    return node ? JSON.parse(node.textContent) : {};
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function accountName(account) {
    return (account.display_name || account.handle) + " (" + account.platform + ")";
  }

  const builders = {
    followers(data, text) {
      const series = data.accounts.map((row) => ({
        name: accountName(row.account),
        type: "line",
        showSymbol: false,
        data: row.values,
      }));
      series.unshift({ name: text.total, type: "line", showSymbol: false, lineStyle: { width: 3 }, data: data.total });
      return {
        color: palette,
        tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : numbers.format(v)) },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 60, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: data.dates, boundaryGap: false, axisLabel: { formatter: shortDate } },
        yAxis: { type: "value", scale: true, axisLabel: { formatter: (v) => numbers.format(v) } },
        series,
      };
    },
    platforms(data, text) {
      const metric = (group, period) => {
        const row = group.metrics.find((m) => m.metric === "engagements");
        return row ? row[period] : null;
      };
      return {
        color: ["#4f46e5", "#c7d2fe"],
        tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : numbers.format(v)) },
        legend: { bottom: 0 },
        grid: { left: 60, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: data.platforms.map((p) => p.platform_name), axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", axisLabel: { formatter: (v) => numbers.format(v) } },
        series: [
          { name: text.current, type: "bar", data: data.platforms.map((p) => metric(p, "current")) },
          { name: text.previous, type: "bar", data: data.platforms.map((p) => metric(p, "previous")) },
        ],
      };
    },
    besttime(data, text) {
      const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0") + ":00");
      const cells = data.cells.map((c) => [c.hour, c.weekday, c.average, c.posts]);
      const max = Math.max(1, ...data.cells.map((c) => c.average));
      return {
        tooltip: {
          formatter: (p) =>
            escapeHtml(text.weekdays[p.value[1]] + " " + hours[p.value[0]]) + "<br>" +
            escapeHtml(text.average) + ": " + numbers.format(p.value[2]) + "<br>" +
            escapeHtml(text.posts) + ": " + numbers.format(p.value[3]),
        },
        grid: { left: 90, right: 90, top: 10, bottom: 30 },
        xAxis: { type: "category", data: hours },
        yAxis: { type: "category", data: text.weekdays, inverse: true },
        visualMap: {
          // The colour is the average (the third value), not the number of posts (the last).
          dimension: 2, min: 0, max, calculable: true, orient: "vertical", right: 0, top: "middle", itemHeight: 160,
          inRange: { color: ["#eef2ff", "#818cf8", "#3730a3"] },
          formatter: (v) => numbers.format(v),
        },
        series: [{ type: "heatmap", data: cells, label: { show: false }, itemStyle: { borderColor: "#fff", borderWidth: 1 } }],
      };
    },
    tags(data, text, element) {
      const group = data.groups.find((g) => String(g.id) === element.dataset.group) || data.groups[0];
      const rows = (group ? group.tags : []).filter((t) => t.performance != null);
      return {
        tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : percents.format(v)) },
        grid: { left: 100, right: 24, top: 10, bottom: 30 },
        xAxis: { type: "value", axisLabel: { formatter: (v) => percents.format(v) } },
        yAxis: { type: "category", data: rows.map((t) => t.name), inverse: true },
        series: [{
          name: text.performance,
          type: "bar",
          data: rows.map((t) => ({ value: t.performance, itemStyle: { color: t.performance >= 0 ? "#10b981" : "#ef4444" } })),
        }],
      };
    },
  };

  function empty(option) {
    return !option.series.some((s) => (s.data || []).some((v) => v != null && (v.value === undefined || v.value != null)));
  }

  async function draw(element, text) {
    const build = builders[element.dataset.chart];
    if (!build || !window.echarts) return;
    const response = await fetch(element.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) {
      element.dataset.chartError = String(response.status);
      return;
    }
    const option = build(await response.json(), text, element);
    const chart = window.echarts.init(element, null, { renderer: "canvas", locale: locale === "zh-CN" ? "ZH" : "EN" });
    if (empty(option)) {
      option.title = { text: text.noData, left: "center", top: "middle", textStyle: { color: "#94a3b8", fontSize: 14, fontWeight: "normal" } };
    }
    option.animation = false;
    // Listen before drawing: without animation the first frame can finish before setOption returns.
    chart.on("finished", () => { element.dataset.chartReady = "1"; });
    chart.setOption(option);
    window.addEventListener("resize", () => chart.resize());
  }

  function start() {
    const text = labels();
    document.querySelectorAll("[data-chart]").forEach((element) => {
      draw(element, text).catch((error) => { element.dataset.chartError = String(error); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
