// Incidents on the alerts page: each links to its page (/incident?id=…) with the story, the report and the notes.
"use strict";
(function () {
  const A = window.Ascolto;
  const REFRESH_SECONDS = 15;

  function item(incident) {
    const link = A.el("a", { href: "/incident?id=" + encodeURIComponent(incident.id) }, incident.title || incident.id);
    return A.el("li", { class: "incident s-" + incident.status, "data-id": incident.id },
      link, " · ", A.t("incidents.status." + incident.status), " · ", A.time(incident.opened_at),
      " · ", (incident.detectors || []).join(", "),
      incident.owner ? " · " + A.t("incidents.owner") + " " + incident.owner : "");
  }

  A.panel("incidents", REFRESH_SECONDS, async (box) => {
    const data = await A.api("/api/incidents", { brand: A.state.brand, limit: 20 });
    A.clear(box);
    if (!data.incidents.length) box.append(A.el("p", { class: "empty" }, A.t("incidents.none")));
    else box.append(A.el("ul", { class: "incidents" }, ...data.incidents.map(item)));
  });
})();
