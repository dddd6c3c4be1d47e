/* Budget charts (Apache ECharts, served from our static files): the burn-down reads the budget's
   burn-down endpoint of the JSON API; plan vs actual reads the lines the page printed (#budget-lines).
   Amounts arrive as exact decimal strings and are shown with Intl in the page's language and the budget's
   currency. When a chart has drawn, its element gets data-chart-ready="1" (browser tests wait for it). */
(function () {
  "use strict";

  const lang = document.documentElement.lang || "en";
  const locale = lang.toLowerCase().startsWith("zh") ? "zh-CN" : lang;

  function json(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  const text = json("budget-labels") || {};
  const money = new Intl.NumberFormat(locale, { style: "currency", currency: text.currency || "CNY" });
  const compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  const dates = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
  const number = (value) => (value == null ? null : Number(value)); // for drawing only; figures stay exact in the tables
  const shortDate = (isoDay) => dates.format(new Date(isoDay + "T00:00:00Z"));
  const tooltipMoney = (v) => (v == null ? "—" : money.format(v));

  function draw(element, option) {
    const chart = window.echarts.init(element, null, { renderer: "canvas", locale: locale === "zh-CN" ? "ZH" : "EN" });
    chart.setOption(option);
    window.addEventListener("resize", () => chart.resize());
    element.dataset.chartReady = "1";
  }

  const builders = {
    async burndown(element) {
      const response = await fetch(element.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error("burn-down " + response.status);
      const data = await response.json();
      return {
        color: ["#4f46e5", "#9ca3af"],
        tooltip: { trigger: "axis", valueFormatter: tooltipMoney },
        legend: { bottom: 0 },
        grid: { left: 64, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: data.dates, boundaryGap: false, axisLabel: { formatter: shortDate } },
        yAxis: { type: "value", axisLabel: { formatter: (v) => compact.format(v) } },
        series: [
          { name: text.remaining, type: "line", step: "end", showSymbol: false, areaStyle: { opacity: 0.12 }, data: data.remaining.map(number) },
          { name: text.ideal, type: "line", showSymbol: false, lineStyle: { type: "dashed" }, data: data.ideal.map(number) },
        ],
      };
    },
    async lines() {
      const rows = json("budget-lines") || [];
      return {
        color: ["#c7d2fe", "#4f46e5", "#f59e0b"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: tooltipMoney },
        legend: { bottom: 0 },
        grid: { left: 64, right: 16, top: 16, bottom: 72, containLabel: true },
        xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { interval: 0, width: 90, overflow: "truncate" } },
        yAxis: { type: "value", axisLabel: { formatter: (v) => compact.format(v) } },
        series: [
          { name: text.planned, type: "bar", data: rows.map((r) => number(r.planned)) },
          { name: text.paid, type: "bar", stack: "used", data: rows.map((r) => number(r.actual)) },
          { name: text.committed, type: "bar", stack: "used", data: rows.map((r) => number(r.committed)) },
        ],
      };
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-budget-chart]").forEach(async (element) => {
      try {
        draw(element, await builders[element.dataset.budgetChart](element));
      } catch (error) {
        element.dataset.chartError = String(error);
      }
    });
  });
})();
