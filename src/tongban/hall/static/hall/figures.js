// Waiting figures: bar chart of average waiting and service minutes per hour of day (table below has the data).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("hour-chart");
    var raw = document.getElementById("hour-chart-data");
    if (!el || !raw || !window.echarts) { return; }
    var d = JSON.parse(raw.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["平均等候（分钟）", "平均办理（分钟）"] },
      xAxis: { type: "category", data: d.hours },
      yAxis: { type: "value", name: "分钟" },
      series: [
        { name: "平均等候（分钟）", type: "bar", data: d.wait },
        { name: "平均办理（分钟）", type: "bar", data: d.service }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
