/* Competitor benchmark charts (Apache ECharts), from the benchmark API the page names in data-url.
   Labels come from #competitor-labels (translated on the server); a drawn chart gets
   data-chart-ready="1" (browser tests wait for it). */
(function () {
  "use strict";

  const lang = document.documentElement.lang || "en";
  const locale = lang.toLowerCase().startsWith("zh") ? "zh-CN" : lang;
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const dates = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
  const palette = ["#4f46e5", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6"];

  function labels() {
    const node = document.getElementById("competitor-labels");
    return node ? JSON.parse(node.textContent) : {};
  }

  const builders = {
    followers(data) {
      return {
        color: palette,
        tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : numbers.format(v)) },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 60, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", boundaryGap: false, data: data.dates, axisLabel: { formatter: (d) => dates.format(new Date(d + "T00:00:00Z")) } },
        yAxis: { type: "value", scale: true, axisLabel: { formatter: (v) => numbers.format(v) } },
        series: data.brands.map((b) => ({ name: b.name, type: "line", showSymbol: b.followers_by_day.filter((v) => v != null).length < 3, connectNulls: true, data: b.followers_by_day })),
      };
    },
    share(data, text) {
      const rows = data.brands.filter((b) => b.engagement_share != null);
      return {
        color: palette,
        tooltip: { trigger: "item", valueFormatter: (v) => percents.format(v) },
        legend: { type: "scroll", bottom: 0 },
        series: [
          { name: text.engagementShare, type: "pie", radius: ["35%", "60%"], center: ["28%", "45%"], label: { show: false },
            data: rows.map((b) => ({ name: b.name, value: b.engagement_share })) },
          { name: text.postShare, type: "pie", radius: ["35%", "60%"], center: ["74%", "45%"], label: { show: false },
            data: data.brands.filter((b) => b.post_share != null).map((b) => ({ name: b.name, value: b.post_share })) },
        ],
        title: [
          { text: text.engagementShare, left: "28%", top: 0, textAlign: "center", textStyle: { fontSize: 12, fontWeight: "normal" } },
          { text: text.postShare, left: "74%", top: 0, textAlign: "center", textStyle: { fontSize: 12, fontWeight: "normal" } },
        ],
      };
    },
    heatmap(data, text) {
      const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0") + ":00");
      const cells = {};
      data.heatmap.forEach((c) => {
        const key = c.hour + ":" + c.weekday;
        cells[key] = (cells[key] || 0) + c.posts;
      });
      const values = Object.entries(cells).map(([key, posts]) => { const [h, d] = key.split(":"); return [Number(h), Number(d), posts]; });
      return {
        tooltip: { formatter: (p) => text.weekdays[p.value[1]] + " " + hours[p.value[0]] + "<br>" + text.posts + ": " + numbers.format(p.value[2]) },
        grid: { left: 90, right: 90, top: 10, bottom: 30 },
        xAxis: { type: "category", data: hours },
        yAxis: { type: "category", data: text.weekdays, inverse: true },
        visualMap: { min: 0, max: Math.max(1, ...values.map((v) => v[2])), calculable: true, orient: "vertical", right: 0, top: "middle", itemHeight: 160, inRange: { color: ["#eef2ff", "#818cf8", "#3730a3"] } },
        series: [{ type: "heatmap", data: values, itemStyle: { borderColor: "#fff", borderWidth: 1 } }],
      };
    },
  };

  function empty(option) {
    return !option.series.some((s) => (s.data || []).some((v) => v != null && (v.value === undefined || v.value != null)));
  }

  async function draw(element, text, data) {
    const option = builders[element.dataset.benchChart](data, text);
    const chart = window.echarts.init(element, null, { renderer: "canvas", locale: locale === "zh-CN" ? "ZH" : "EN" });
    if (empty(option)) {
      option.title = { text: text.noData, left: "center", top: "middle", textStyle: { color: "#94a3b8", fontSize: 14, fontWeight: "normal" } };
    }
    option.animation = false;
    chart.on("finished", () => { element.dataset.chartReady = "1"; });
    chart.setOption(option);
    window.addEventListener("resize", () => chart.resize());
  }

  async function start() {
    const elements = document.querySelectorAll("[data-bench-chart]");
    if (!elements.length || !window.echarts) return;
    const text = labels();
    const response = await fetch(elements[0].dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) {
      elements.forEach((e) => { e.dataset.chartError = String(response.status); });
      return;
    }
    const data = await response.json();
    elements.forEach((element) => draw(element, text, data).catch((error) => { element.dataset.chartError = String(error); }));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
