// Alerts: open and past alerts with their evidence; acknowledge.
"use strict";
(function () {
  const A = window.Ascolto;
  const REFRESH_SECONDS = 10;
  const expanded = new Set();
  // Alert messages link to alerts?id=<id>: that alert opens with its evidence shown.
  const linked = new URLSearchParams(window.location.search).get("id");
  if (linked) expanded.add(linked);

  function numberOrDash(x) {
    return x === null || x === undefined ? "–" : Number(x).toLocaleString(A.lang, { maximumFractionDigits: 1 });
  }

  function card(alert) {
    const evidence = A.el("div", { class: "evidence", hidden: !expanded.has(alert.id) });
    const toggle = A.el("button", { type: "button", class: "toggle-evidence" },
      A.t(expanded.has(alert.id) ? "alerts.hideEvidence" : "alerts.evidence"));
    toggle.addEventListener("click", async () => {
      if (expanded.has(alert.id)) {
        expanded.delete(alert.id);
        evidence.hidden = true;
        toggle.textContent = A.t("alerts.evidence");
        return;
      }
      expanded.add(alert.id);
      await loadEvidence(alert.id, evidence);
      evidence.hidden = false;
      toggle.textContent = A.t("alerts.hideEvidence");
    });
    if (expanded.has(alert.id)) loadEvidence(alert.id, evidence);
    const actions = A.el("div", { class: "actions" }, toggle);
    if (alert.status === "open") {
      const ack = A.el("button", { type: "button", class: "ack" }, A.t("alerts.ack"));
      ack.addEventListener("click", () => acknowledge(alert.id, ack));
      actions.append(ack);
    }
    // the words of the alert messages in the reader's language (core/wording), when the API has them
    const said = (alert.details && alert.details.words && alert.details.words[A.lang]) || null;
    const summary = said ? said.headline : alert.summary;
    return A.el("article", { class: "alert sev-" + alert.severity, "data-id": alert.id },
      A.el("h3", {}, (said && said.title) || alert.title || alert.rule),
      A.el("div", { class: "meta" },
        A.el("span", {}, A.t("severity." + alert.severity)),
        A.el("span", {}, A.t("status." + alert.status)),
        A.el("span", {}, alert.brand || ""),
        A.el("span", {}, alert.rule + " · " + alert.detector),
        A.el("time", { datetime: alert.opened_at }, A.time(alert.opened_at)),
        A.el("span", {}, A.t("alerts.observed") + " " + numberOrDash(alert.observed) + " · " +
          A.t("alerts.expected") + " " + numberOrDash(alert.expected)),
        alert.acknowledged_by ? A.el("span", {}, A.t("alerts.ackedBy") + " " + alert.acknowledged_by) : null),
      summary ? A.el("p", { class: "summary" }, summary) : null,
      said && said.unanswered ? A.el("p", { class: "unanswered" }, said.unanswered) : null,
      alert.top_terms.length ? A.el("ul", { class: "labels" }, A.el("li", { class: "label" }, A.t("alerts.terms")),
        alert.top_terms.map((t) => A.el("li", { class: "label topic" }, t))) : null,
      actions, evidence);
  }

  async function loadEvidence(id, box) {
    try {
      const detail = await A.api("/api/alerts/" + encodeURIComponent(id));
      A.clear(box);
      if (!detail.evidence.length) box.append(A.el("p", { class: "empty" }, A.t("none")));
      for (const m of detail.evidence) box.append(A.mentionCard(m));
    } catch (error) {
      A.showError(box, error);
    }
  }

  async function acknowledge(id, button) {
    const input = document.getElementById("ack-by");
    const by = input.value.trim();
    if (!by) {
      input.focus();
      input.setAttribute("placeholder", A.t("alerts.needName"));
      return;
    }
    window.localStorage.setItem("ascolto.ackBy", by);
    button.disabled = true;
    try {
      await A.post("/api/alerts/" + encodeURIComponent(id) + "/acknowledge", { by: by });
      await refresh();
    } catch (error) {
      button.disabled = false;
      A.showError(document.getElementById("status"), error);
    }
  }

  function fill(node, alerts) {
    A.clear(node);
    if (!alerts.length) node.append(A.el("p", { class: "empty" }, A.t("alerts.none")));
    for (const alert of alerts) node.append(card(alert));
  }

  async function refresh() {
    const status = document.getElementById("status");
    try {
      const [open, past] = await Promise.all([
        A.api("/api/alerts", { brand: A.state.brand, status: "open", limit: 200 }),
        A.api("/api/alerts", { brand: A.state.brand, status: ["acknowledged", "resolved"], limit: 100 }),
      ]);
      fill(document.getElementById("open-alerts"), open.items);
      fill(document.getElementById("past-alerts"), past.items);
      A.loaded(status);
      const target = linked && document.querySelector('article.alert[data-id="' + CSS.escape(linked) + '"]');
      if (target && !target.hasAttribute("data-focused")) {
        target.setAttribute("data-focused", "true");
        target.scrollIntoView({ block: "center" });
      }
    } catch (error) {
      A.showError(status, error);
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    document.getElementById("ack-by").value = window.localStorage.getItem("ascolto.ackBy") || "";
    if (!(await A.start(refresh))) return;
    A.every(REFRESH_SECONDS, refresh);
    refresh();
  });
})();
