// Source health on the alerts page: a source whose crawls fail is blind, and the quiet it causes is not normal.
"use strict";
(function () {
  const A = window.Ascolto;
  const REFRESH_SECONDS = 30;

  function row(s) {
    const status = A.el("td", { class: "source-status s-" + s.status }, A.t("sources.status." + s.status));
    const errors = Object.keys(s.last_errors || {}).join(", ");
    return A.el("tr", { "data-source": s.source, "data-status": s.status },
      A.el("td", {}, s.source),
      A.el("td", {}, s.kind || "–"),
      status,
      A.el("td", {}, s.last_success_at ? A.time(s.last_success_at) : "–"),
      A.el("td", {}, String(s.error_streak) + (errors ? " (" + errors + ")" : "")),
      A.el("td", {}, A.number(s.items_usual)));
  }

  A.panel("sources", REFRESH_SECONDS, async (box) => {
    const data = await A.api("/api/sources");
    A.clear(box);
    if (!data.sources.length) {
      box.append(A.el("p", { class: "empty" }, A.t("sources.none")));
      return;
    }
    const head = A.el("tr", {}, ...["source", "kind", "status", "lastSuccess", "streak", "usual"]
      .map((key) => A.el("th", {}, A.t("sources." + key))));
    box.append(A.el("table", { class: "sources" }, A.el("thead", {}, head),
      A.el("tbody", {}, ...data.sources.map(row))));
  });
})();
