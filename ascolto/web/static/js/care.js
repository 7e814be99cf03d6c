// Care queue: complaints awaiting a reply, oldest first, with their age, source link and topic.
"use strict";
(function () {
  const A = window.Ascolto;
  const REFRESH_SECONDS = 10;

  function kpi(label, value, tone, key) {
    return A.el("div", { class: "kpi" + (tone ? " " + tone : ""), "data-kpi": key },
      A.el("span", { class: "kpi-label" }, label), A.el("span", { class: "kpi-value" }, value));
  }

  function row(item) {
    const m = item.mention;
    const text = m.text.length > 400 ? m.text.slice(0, 400) + "…" : m.text;
    return A.el("tr", { class: item.over_target ? "over-target" : "", "data-id": m.id },
      A.el("td", { class: "age" }, A.duration(item.age_seconds)),
      A.el("td", { class: "source" }, m.source + " · " + m.platform),
      A.el("td", { class: "author" }, m.author || "–"),
      A.el("td", { class: "topic" }, (m.topics || []).join(", ") || "–"),
      A.el("td", { class: "text" }, m.title ? A.el("strong", {}, m.title) : null, m.title ? " " : null, text),
      A.el("td", { class: "link" }, m.url ? A.link(m.url, A.t("mention.open")) : "–"));
  }

  async function refresh() {
    const status = document.getElementById("status");
    try {
      const [queue, care] = await Promise.all([
        A.api("/api/care/queue", { brand: A.state.brand, limit: 200 }),
        A.api("/api/care", { brand: A.state.brand, window: A.state.window }),
      ]);
      const c = care.care;
      const target = c.target_minutes * 60;
      const tone = (s) => (s === null ? "" : s <= target ? "ok" : "bad");
      A.clear(document.getElementById("kpis")).append(
        kpi(A.t("kpi.unanswered"), A.number(queue.total), queue.total ? "bad" : "ok", "queue"),
        kpi(A.t("kpi.median") + " (" + A.t("kpi.target") + " " + A.duration(target) + ")",
          A.duration(c.response_median_seconds), tone(c.response_median_seconds), "median"),
        kpi(A.t("kpi.p90"), A.duration(c.response_p90_seconds), tone(c.response_p90_seconds), "p90"),
        kpi(A.t("kpi.resolution"), A.percent(c.resolution_rate), "", "resolution"),
        kpi(A.t("kpi.happiness"), A.signed(c.happiness_index), "", "happiness"));
      document.getElementById("queue-total").textContent = "(" + A.number(queue.total) + " " + A.t("care.total") + ")";
      const body = A.clear(document.getElementById("queue"));
      if (!queue.items.length) body.append(A.el("tr", {}, A.el("td", { colspan: "6", class: "empty" }, A.t("care.empty"))));
      for (const item of queue.items) body.append(row(item));
      A.loaded(status);
    } catch (error) {
      A.showError(status, error);
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    if (!(await A.start(refresh))) return;
    A.every(REFRESH_SECONDS, refresh);
    refresh();
  });
})();
