// Overview of one brand: volume by sentiment with alert markers, complaint share, share of voice, topics, emerging
// terms, care metrics against their targets. Refreshes itself every few seconds.
"use strict";
(function () {
  const A = window.Ascolto;
  const REFRESH_SECONDS = 5;

  function tile(label, value, note, tone, key) {
    return A.el("div", { class: "kpi" + (tone ? " " + tone : ""), "data-kpi": key },
      A.el("span", { class: "kpi-label" }, label),
      A.el("span", { class: "kpi-value" }, value),
      note ? A.el("span", { class: "kpi-note" }, note) : null);
  }

  function kpis(data) {
    const care = data.care;
    const target = care.target_minutes * 60;
    const targetNote = A.t("kpi.target") + " " + A.duration(target);
    const tone = (seconds) => (seconds === null ? "" : seconds <= target ? "ok" : "bad");
    const change = care.happiness_change;
    const box = A.clear(document.getElementById("kpis"));
    box.append(
      tile(A.t("kpi.total"), A.number(data.total), null, "", "total"),
      tile(A.t("kpi.complaintShare"), A.percent(data.complaint_share), A.number(data.complaints), "", "complaints"),
      tile(A.t("kpi.happiness"), A.signed(care.happiness_index),
        change === null ? null : A.signed(change) + " " + A.t("kpi.vsPrevious"),
        care.happiness_index === null ? "" : care.happiness_index >= 0 ? "ok" : "bad", "happiness"),
      tile(A.t("kpi.median"), A.duration(care.response_median_seconds), targetNote,
        tone(care.response_median_seconds), "median"),
      tile(A.t("kpi.p90"), A.duration(care.response_p90_seconds),
        A.percent(care.within_target_share) + " " + A.t("kpi.withinTarget"), tone(care.response_p90_seconds), "p90"),
      tile(A.t("kpi.unanswered"), A.number(care.complaints_unanswered),
        A.t("kpi.oldest") + " " + A.duration(care.oldest_unanswered_age_seconds),
        care.unanswered_over_target > 0 ? "bad" : "ok", "unanswered"),
      tile(A.t("kpi.resolution"), A.percent(care.resolution_rate),
        A.number(care.unanswered_over_target) + " " + A.t("kpi.overTarget"), "", "resolution"),
      tile(A.t("kpi.openAlerts"), A.number(data.open_alerts), null, data.open_alerts > 0 ? "bad" : "ok", "alerts"));
  }

  function render(data) {
    kpis(data);
    A.charts.volume(document.getElementById("volume"), data.buckets, data.series, data.alerts, data.interval);
    A.charts.bars(document.getElementById("sov"),
      data.share_of_voice.map((r) => ({ label: r.brand, value: r.count, share: r.share, highlight: r.brand === data.brand })),
      (r) => A.percent(r.share));
    A.charts.bars(document.getElementById("topics"), data.topics.map((t) => ({ label: t.value, value: t.count })));
    const terms = A.clear(document.getElementById("terms"));
    if (!data.emerging_terms.length) terms.append(A.el("p", { class: "empty" }, A.t("none")));
    else {
      terms.append(A.el("ol", { class: "terms" }, data.emerging_terms.map((t) =>
        A.el("li", {}, A.el("span", { class: "term" }, t.term),
          A.el("span", { class: "lift" }, "×" + t.lift.toLocaleString(A.lang, { maximumFractionDigits: 1 })),
          A.el("span", { class: "counts" }, t.recent + " / " + t.baseline)))));
    }
    A.charts.trend(document.getElementById("trend"), data.happiness_trend);
  }

  // who carries the conversation: slower-moving, so asked every minute rather than every few seconds
  async function refreshReach() {
    const query = { brand: A.state.brand, window: A.state.window, owned: false, size: 8 };
    try {
      const [authors, sources] = await Promise.all([A.api("/api/top/authors", query), A.api("/api/top/sources", query)]);
      const rows = (data) => data.items.map((r) => ({ label: r.value, value: r.reach_sum, mentions: r.mentions }));
      const note = (r) => A.number(r.value) + " · " + A.number(r.mentions) + " " + A.t("chart.mentions");
      A.charts.bars(document.getElementById("authors"), rows(authors), note);
      A.charts.bars(document.getElementById("sources"), rows(sources), note);
    } catch (error) {
      A.showError(document.getElementById("authors"), error);
    }
  }

  async function refresh() {
    const status = document.getElementById("status");
    try {
      const data = await A.api("/api/overview", { brand: A.state.brand, window: A.state.window });
      render(data);
      status.hidden = true;
      A.loaded(status);
    } catch (error) {
      status.hidden = false;
      A.showError(status, error);
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    if (!(await A.start(() => { refresh(); refreshReach(); }))) return;
    A.every(REFRESH_SECONDS, refresh);
    A.every(60, refreshReach);
    refresh();
    refreshReach();
  });
})();
