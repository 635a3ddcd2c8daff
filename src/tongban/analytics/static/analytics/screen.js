(function () {
  "use strict";
  var POLL_MS = 15000;
  var url = document.getElementById("screen-config").dataset.url;
  var charts = {};
  function chart(id) {
    if (!window.echarts) return null;
    if (!charts[id]) charts[id] = window.echarts.init(document.getElementById(id));
    return charts[id];
  }
  function text(s) { return document.createTextNode(s == null ? "" : String(s)); }
  function link(href, label) { var a = document.createElement("a"); a.href = href; a.appendChild(text(label)); return a; }
  function table(id, rows) {
    var body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      var th = document.createElement("th"); th.scope = "row"; th.appendChild(link(r.url, r.name)); tr.appendChild(th);
      ["normal", "yellow", "red"].forEach(function (lvl) {
        var td = document.createElement("td"); td.appendChild(link(r.url + "&level=" + lvl, r[lvl])); tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  function bars(id, rows) {
    var c = chart(id); if (!c) return;
    c.setOption({
      tooltip: { trigger: "axis" }, legend: {}, grid: { left: 40, right: 16, bottom: 70 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value" },
      series: [["normal", "正常", "#198754"], ["yellow", "黄灯", "#ffc107"], ["red", "红灯", "#dc3545"]].map(function (s) {
        return { name: s[1], type: "bar", stack: "l", itemStyle: { color: s[2] }, data: rows.map(function (r) { return r[s[0]]; }) };
      })
    });
    c.off("click");
    c.on("click", function (p) { window.location.href = rows[p.dataIndex].url + "&level=" + ["normal", "yellow", "red"][p.seriesIndex]; });
  }
  function render(d) {
    document.getElementById("screen-updated").textContent = d.today + " 更新于 " + d.updated_at;
    d.levels.forEach(function (l) {
      var el = document.querySelector('[data-level="' + l.level + '"] [data-figure]'); if (el) el.textContent = l.count;
    });
    document.querySelector("#screen-intake [data-figure]").textContent = d.intake_today.count;
    document.querySelector("#screen-concluded [data-figure]").textContent = d.concluded_today.count;
    table("table-department", d.by_department); table("table-hall", d.by_hall);
    bars("chart-department", d.by_department); bars("chart-hall", d.by_hall);
    var list = document.getElementById("screen-overdue"); list.replaceChildren();
    d.overdue.forEach(function (r) {
      var li = document.createElement("li"); li.className = "list-group-item";
      li.appendChild(link(r.url, (r.number || r.case_id) + " " + r.title));
      li.appendChild(text(" · " + r.department + " · 期限 " + r.due_date)); list.appendChild(li);
    });
    var t = chart("chart-trend");
    if (t) {
      t.setOption({
        tooltip: { trigger: "axis" }, legend: {}, grid: { left: 40, right: 16, bottom: 40 },
        xAxis: { type: "category", data: d.trend.days }, yAxis: { type: "value" },
        series: [{ name: "收件", type: "line", data: d.trend.received }, { name: "办结", type: "line", data: d.trend.concluded }]
      });
      t.off("click");
      t.on("click", function (p) {
        window.location.href = (p.seriesIndex === 0 ? d.trend.received_url : d.trend.concluded_url) + d.trend.days[p.dataIndex];
      });
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) render(d); })
      .catch(function () { /* keep the last figures; try again at the next tick */ });
  }
  // The browser's own full screen (F11 does the same): offered only where the browser supports it.
  var full = document.getElementById("screen-fullscreen");
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    var label = function () {
      var on = Boolean(document.fullscreenElement);
      full.textContent = on ? full.dataset.on : full.dataset.off;
      full.setAttribute("aria-pressed", on ? "true" : "false");
    };
    full.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
    });
    document.addEventListener("fullscreenchange", label);
    label();
  }
  render(JSON.parse(document.getElementById("screen-data").textContent));
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  setInterval(poll, POLL_MS);
})();
