/* Response-time charts of the docking dashboard: data from the page's json_script, ECharts served locally. */
(function () {
  "use strict";
  var source = document.getElementById("docking-chart-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);

  function draw(elementId, series) {
    var element = document.getElementById(elementId);
    if (!element || !series.names.length) {
      return;
    }
    var chart = echarts.init(element);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [data.labels.median, data.labels.within] },
      grid: { top: 56, left: 48, right: 48, bottom: 56 },
      xAxis: { type: "category", data: series.names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [
        { type: "value", name: data.labels.median, nameTextStyle: { align: "left" } },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
      ],
      series: [
        { name: data.labels.median, type: "bar", data: series.median },
        { name: data.labels.within, type: "line", yAxisIndex: 1, data: series.within }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  draw("chart-regions", data.regions);
  draw("chart-responders", data.responders);
})();
