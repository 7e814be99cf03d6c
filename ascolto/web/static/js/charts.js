// Small hand-made SVG charts (no library): stacked volume bars with alert markers, horizontal bars, a trend line.
"use strict";
(function () {
  const A = (window.Ascolto = window.Ascolto || {});
  const C = (A.charts = {});
  const W = 1000, H = 280, PAD_L = 48, PAD_R = 12, PAD_T = 18, PAD_B = 28;
  C.SENTIMENTS = ["negative", "neutral", "positive", "unlabelled"];

  function niceMax(value) {
    if (value <= 0) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
    return 10 * power;
  }

  function timeLabel(date, spanMs) {
    return spanMs <= 2 * 86400e3
      ? date.toLocaleTimeString(A.lang, { hour: "2-digit", minute: "2-digit" })
      : date.toLocaleDateString(A.lang, { day: "numeric", month: "short" });
  }

  // alerts: [{opened_at, title, severity, id}] -> a marker at each opening inside the n buckets from t0
  function alertMarkers(alerts, t0, stepMs, n, barW) {
    const plotH = H - PAD_T - PAD_B;
    const markers = A.svg("g", { class: "alert-markers" });
    for (const alert of alerts || []) {
      const offset = (new Date(alert.opened_at).getTime() - t0) / stepMs;
      if (!(offset >= 0 && offset <= n)) continue;
      const x = PAD_L + offset * barW;
      const marker = A.svg("g", { class: "alert-marker sev-" + alert.severity, "data-alert": alert.id });
      marker.append(A.svg("line", { x1: x, x2: x, y1: PAD_T, y2: PAD_T + plotH }));
      marker.append(A.svg("path", { d: `M${x - 6},${PAD_T - 12} L${x + 6},${PAD_T - 12} L${x},${PAD_T - 2} Z` }));
      marker.append(A.svg("title", {}, `${A.t("chart.alertMarker")}: ${alert.title} (${A.time(alert.opened_at)})`));
      markers.append(marker);
    }
    return markers;
  }

  // buckets: ISO starts; series: {negative: [...], ...}; alerts: [{opened_at, title, severity, id}]
  C.volume = function (container, buckets, series, alerts, interval) {
    A.clear(container);
    const n = buckets.length;
    const totals = buckets.map((_, i) => C.SENTIMENTS.reduce((sum, s) => sum + ((series[s] || [])[i] || 0), 0));
    const max = niceMax(Math.max(0, ...totals));
    const plotW = W - PAD_L - PAD_R, plotH = H - PAD_T - PAD_B;
    const barW = plotW / Math.max(n, 1);
    const svg = A.svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart chart-volume", role: "img",
      "aria-label": A.t("chart.volume") });
    svg.append(A.svg("title", {}, A.t("chart.volume")));
    for (const f of [0, 0.5, 1]) {
      const y = PAD_T + plotH * (1 - f);
      svg.append(A.svg("line", { x1: PAD_L, x2: W - PAD_R, y1: y, y2: y, class: "grid" }));
      svg.append(A.svg("text", { x: PAD_L - 6, y: y + 4, class: "axis", "text-anchor": "end" }, A.number(max * f)));
    }
    const bars = A.svg("g", { class: "bars" });
    buckets.forEach((start, i) => {
      let y = PAD_T + plotH;
      for (const s of C.SENTIMENTS) {
        const count = (series[s] || [])[i] || 0;
        if (!count) continue;
        const h = (count / max) * plotH;
        y -= h;
        const rect = A.svg("rect", { x: PAD_L + i * barW, y: y, width: Math.max(barW - (barW > 3 ? 1 : 0), 0.6),
          height: h, class: "bar s-" + s });
        rect.append(A.svg("title", {}, `${A.time(start)} · ${A.t("sentiment." + s)}: ${count}`));
        bars.append(rect);
      }
    });
    svg.append(bars);
    const t0 = n ? new Date(buckets[0]).getTime() : 0;
    const stepMs = n > 1 ? new Date(buckets[1]).getTime() - t0 : 3600e3;
    const spanMs = stepMs * n;
    const ticks = Math.min(6, n);
    for (let k = 0; k < ticks; k++) {
      const i = Math.round((k * (n - 1)) / Math.max(ticks - 1, 1));
      const x = PAD_L + (i + 0.5) * barW;
      const anchor = k === 0 ? "start" : k === ticks - 1 ? "end" : "middle";
      svg.append(A.svg("text", { x: k === 0 ? PAD_L : k === ticks - 1 ? W - PAD_R : x, y: H - 8, class: "axis",
        "text-anchor": anchor },
        timeLabel(new Date(buckets[i]), spanMs)));
    }
    svg.append(alertMarkers(alerts, t0, stepMs, n, barW));
    container.append(svg, legend(interval));
  };

  function legend(interval) {
    const list = A.el("ul", { class: "legend" });
    for (const s of C.SENTIMENTS) {
      list.append(A.el("li", {}, A.el("span", { class: "swatch s-" + s }), A.t("sentiment." + s)));
    }
    list.append(A.el("li", {}, A.el("span", { class: "swatch s-alert" }), A.t("chart.alertMarker")));
    if (interval) list.append(A.el("li", { class: "interval" }, interval));
    return list;
  }

  // rows: [{label, value, note}] -> labelled horizontal bars (HTML, sized through the CSSOM, not style attributes)
  C.bars = function (container, rows, format) {
    A.clear(container);
    if (!rows.length) {
      container.append(A.el("p", { class: "empty" }, A.t("none")));
      return;
    }
    const max = Math.max(...rows.map((r) => r.value), 1);
    const list = A.el("ol", { class: "hbars" });
    for (const row of rows) {
      const fill = A.el("span", { class: "fill" + (row.highlight ? " highlight" : "") });
      fill.style.width = ((row.value / max) * 100).toFixed(1) + "%";
      list.append(A.el("li", {},
        A.el("span", { class: "name", title: row.label }, row.label),
        A.el("span", { class: "track" }, fill),
        A.el("span", { class: "value" }, format ? format(row) : A.number(row.value))));
    }
    container.append(list);
  };

  // points: [{start, index}] with index in -1..1 or null -> a line with a zero baseline
  C.trend = function (container, points) {
    A.clear(container);
    const w = 400, h = 180, pad = 20, left = 64;
    const svg = A.svg("svg", { viewBox: `0 0 ${w} ${h}`, class: "chart chart-trend", role: "img",
      "aria-label": A.t("chart.happiness") });
    const y = (v) => pad + ((1 - v) / 2) * (h - 2 * pad);
    const x = (i) => left + (points.length > 1 ? (i / (points.length - 1)) * (w - left - pad) : (w - left - pad) / 2);
    for (const v of [1, 0, -1]) {
      svg.append(A.svg("line", { x1: left, x2: w - pad, y1: y(v), y2: y(v), class: v === 0 ? "zero" : "grid" }));
      svg.append(A.svg("text", { x: left - 6, y: y(v) + 5, class: "axis", "text-anchor": "end" }, A.signed(v)));
    }
    let d = "";
    points.forEach((p, i) => {
      if (p.index === null || p.index === undefined) return;
      d += (d ? " L" : "M") + x(i).toFixed(1) + "," + y(p.index).toFixed(1);
      const dot = A.svg("circle", { cx: x(i), cy: y(p.index), r: 5, class: p.index < 0 ? "dot neg" : "dot pos" });
      dot.append(A.svg("title", {}, `${A.time(p.start)}: ${A.signed(p.index)} (+${p.positive} / −${p.negative})`));
      svg.append(dot);
    });
    if (d) svg.prepend(A.svg("path", { d: d, class: "line" }));
    container.append(svg);
  };

  function frame(label, cls) {
    const svg = A.svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart " + cls, role: "img", "aria-label": label });
    svg.append(A.svg("title", {}, label));
    return svg;
  }

  function yGrid(svg, max) {
    const plotH = H - PAD_T - PAD_B;
    for (const f of [0, 0.5, 1]) {
      const y = PAD_T + plotH * (1 - f);
      svg.append(A.svg("line", { x1: PAD_L, x2: W - PAD_R, y1: y, y2: y, class: "grid" }));
      svg.append(A.svg("text", { x: PAD_L - 6, y: y + 4, class: "axis", "text-anchor": "end" }, A.number(max * f)));
    }
  }

  function xTicks(svg, starts) {
    const n = starts.length, barW = (W - PAD_L - PAD_R) / Math.max(n, 1);
    const spanMs = n > 1 ? new Date(starts[n - 1]).getTime() - new Date(starts[0]).getTime() : 3600e3;
    const ticks = Math.min(6, n);
    for (let k = 0; k < ticks; k++) {
      const i = Math.round((k * (n - 1)) / Math.max(ticks - 1, 1));
      svg.append(A.svg("text", { x: PAD_L + (i + 0.5) * barW, y: H - 8, class: "axis", "text-anchor": "middle" },
        timeLabel(new Date(starts[i]), spanMs)));
    }
  }

  // rows: [{start, volume, negative, negative_share}] -> volume bars, negative part, negative share line, alerts
  C.timeline = function (container, rows, alerts) {
    A.clear(container);
    const n = rows.length, plotH = H - PAD_T - PAD_B, barW = (W - PAD_L - PAD_R) / Math.max(n, 1);
    const max = niceMax(Math.max(0, ...rows.map((r) => r.volume)));
    const svg = frame(A.t("story.timeline"), "chart-timeline");
    yGrid(svg, max);
    const bars = A.svg("g", { class: "bars" });
    let line = "";
    rows.forEach((r, i) => {
      const x = PAD_L + i * barW, w = Math.max(barW - (barW > 3 ? 1 : 0), 0.6);
      if (r.volume) {
        const h = (r.volume / max) * plotH, nh = (r.negative / max) * plotH;
        const total = A.svg("rect", { x: x, y: PAD_T + plotH - h, width: w, height: h, class: "bar total" });
        total.append(A.svg("title", {}, `${A.time(r.start)} · ${A.t("story.volume")}: ${r.volume}`));
        bars.append(total);
        const neg = A.svg("rect", { x: x, y: PAD_T + plotH - nh, width: w, height: nh, class: "bar negative" });
        neg.append(A.svg("title", {}, `${A.time(r.start)} · ${A.t("sentiment.negative")}: ${r.negative}`));
        bars.append(neg);
      }
      if (r.negative_share !== null) {
        line += (line ? " L" : "M") + (x + barW / 2).toFixed(1) + "," + (PAD_T + plotH * (1 - r.negative_share)).toFixed(1);
      }
    });
    svg.append(bars);
    if (line) svg.append(A.svg("path", { d: line, class: "share" }));
    xTicks(svg, rows.map((r) => r.start));
    const t0 = n ? new Date(rows[0].start).getTime() : 0;
    const stepMs = n > 1 ? new Date(rows[1].start).getTime() - t0 : 3600e3;
    svg.append(alertMarkers(alerts, t0, stepMs, n, barW));
    const legendList = A.el("ul", { class: "legend" },
      A.el("li", {}, A.el("span", { class: "swatch s-neutral" }), A.t("story.volume")),
      A.el("li", {}, A.el("span", { class: "swatch s-negative" }), A.t("sentiment.negative")),
      A.el("li", {}, A.el("span", { class: "swatch s-negative" }), A.t("story.negativeShare") + " (0–100%)"),
      A.el("li", {}, A.el("span", { class: "swatch s-alert" }), A.t("chart.alertMarker")));
    container.append(svg, legendList);
  };

  // starts: ISO bucket starts; lines: [{name, counts, total}] -> one line per series, with a legend
  C.lines = function (container, starts, lines) {
    A.clear(container);
    const n = starts.length, plotH = H - PAD_T - PAD_B, step = (W - PAD_L - PAD_R) / Math.max(n, 1);
    const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.counts)));
    const svg = frame(A.t("story.spread"), "chart-spread");
    yGrid(svg, max);
    const legendList = A.el("ul", { class: "legend" });
    lines.forEach((l, k) => {
      const d = l.counts.map((c, i) => (i ? "L" : "M") + (PAD_L + (i + 0.5) * step).toFixed(1) + "," +
        (PAD_T + plotH * (1 - c / max)).toFixed(1)).join(" ");
      const path = A.svg("path", { d: d || "M0,0", class: "platform-line p-" + (k % 8), "data-platform": l.name });
      path.append(A.svg("title", {}, `${l.name}: ${l.total}`));
      svg.append(path);
      legendList.append(A.el("li", {}, A.el("span", { class: "swatch p-" + (k % 8) }), `${l.name} (${A.number(l.total)})`));
    });
    xTicks(svg, starts);
    container.append(svg, legendList);
  };
})();
