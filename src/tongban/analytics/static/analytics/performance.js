(function () {
  "use strict";
  var el = document.getElementById("perf-chart");
  var src = document.getElementById("perf-chart-data");
  if (!el || !src || !window.echarts) return;
  var d = JSON.parse(src.textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["按时办结率 %", "最多跑一次率 %", "办结件数"] },
    grid: { left: 48, right: 48, bottom: 80 },
    xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: [{ type: "value", max: 100, name: "%" }, { type: "value", name: "件" }],
    series: [
      { name: "按时办结率 %", type: "bar", data: d.on_time },
      { name: "最多跑一次率 %", type: "bar", data: d.one_visit },
      { name: "办结件数", type: "line", yAxisIndex: 1, data: d.concluded }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
