/* Charts of the statistics dashboard: data from the page's json_script, ECharts served locally.
   Suppressed figures arrive as null and are drawn as gaps. */
(function () {
  "use strict";
  var source = document.getElementById("statistics-chart-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function init(elementId, height) {
    var element = document.getElementById(elementId);
    if (!element) {
      return null;
    }
    element.style.height = height + "px";
    var chart = echarts.init(element);
    charts.push(chart);
    return chart;
  }

  function bars(elementId, names, series, horizontal) {
    if (!names.length) {
      return;
    }
    var chart = init(elementId, horizontal ? Math.max(160, names.length * 28 + 60) : 320);
    if (!chart) {
      return;
    }
    var category = { type: "category", data: names, axisLabel: { interval: 0 } };
    var value = { type: "value" };
    if (!horizontal) {
      category.axisLabel.rotate = names.length > 6 ? 30 : 0;
    }
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { top: 32, left: horizontal ? 140 : 56, right: 24, bottom: horizontal ? 24 : 64 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign(category, { inverse: true }) : value,
      series: series.map(function (item) {
        return { name: item.name, type: item.type || "bar", data: item.data, connectNulls: false };
      })
    });
  }

  var labels = data.labels;
  bars("chart-children", data.children.names, [
    { name: labels.output, data: data.children.output },
    { name: labels.absorption, data: data.children.absorption }
  ], false);
  Object.keys(data.breakdowns).forEach(function (dimension) {
    var item = data.breakdowns[dimension];
    bars("chart-" + dimension, item.names, [{ name: labels.amount, data: item.amount }], true);
  });
  bars("chart-yearly", data.yearly.names, [
    { name: labels.amount, data: data.yearly.amount, type: "line" },
    { name: labels.receipts, data: data.yearly.receipts, type: "line" }
  ], false);
  bars("chart-quarterly", data.quarterly.names, [
    { name: labels.amount, data: data.quarterly.amount },
    { name: labels.receipts, data: data.quarterly.receipts }
  ], false);

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
