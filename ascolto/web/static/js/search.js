// Search: the brand query language, facets to narrow, mentions as text with source, author, time, labels, link.
"use strict";
(function () {
  const A = window.Ascolto;
  const PAGE = 25;
  const FACETS = ["sentiment", "intent", "topics", "source", "platform", "lang"];
  const PARAM = { sentiment: "sentiment", intent: "intent", topics: "topic", source: "source", platform: "platform", lang: "lang" };
  const chosen = Object.fromEntries(FACETS.map((f) => [f, new Set()]));
  let offset = 0;
  let total = 0;

  function facetLabel(field, value) {
    if (field === "sentiment") return A.t("sentiment." + value);
    if (field === "intent") return A.t("intent." + value);
    return value;
  }

  function renderFacets(facets) {
    const box = A.clear(document.getElementById("facets"));
    for (const field of FACETS) {
      const values = facets[field] || [];
      const selected = chosen[field];
      const shown = new Map(values.map((f) => [f.value, f.count]));
      for (const v of selected) if (!shown.has(v)) shown.set(v, 0);
      if (!shown.size) continue;
      box.append(A.el("h3", {}, A.t("facet." + field)));
      for (const [value, count] of shown) {
        const input = A.el("input", { type: "checkbox", "data-field": field, value: value, checked: selected.has(value) });
        input.addEventListener("change", () => {
          if (input.checked) selected.add(value); else selected.delete(value);
          offset = 0;
          run();
        });
        box.append(A.el("label", {}, input, A.el("span", {}, facetLabel(field, value)), A.el("span", { class: "n" }, A.number(count))));
      }
    }
  }

  async function run() {
    const status = document.getElementById("status");
    const results = document.getElementById("results");
    const query = { brand: A.state.brand, window: A.state.window, q: document.getElementById("q").value.trim(),
      sort: document.getElementById("sort").value, limit: PAGE, offset: offset, facets: offset === 0 };
    for (const field of FACETS) query[PARAM[field]] = Array.from(chosen[field]);
    try {
      const data = await A.api("/api/mentions", query);
      total = data.total;
      status.textContent = (data.total_exact ? "" : A.t("search.atLeast") + " ") + A.number(data.total) + " " + A.t("search.results");
      A.clear(results);
      for (const m of data.items) results.append(A.mentionCard(m));
      if (offset === 0) renderFacets(data.facets);  // paging keeps the facets of the first page: same query
      document.getElementById("prev").disabled = offset === 0;
      document.getElementById("next").disabled = offset + PAGE >= total;
      document.body.setAttribute("data-loaded", "true");
      A.stamp();
    } catch (error) {
      A.clear(results);
      A.showError(status, error);
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const params = new URLSearchParams(window.location.search);
    document.getElementById("q").value = params.get("q") || "";
    if (!(await A.start(() => { offset = 0; run(); }))) return;
    document.getElementById("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      offset = 0;
      run();
    });
    document.getElementById("sort").addEventListener("change", () => { offset = 0; run(); });
    document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); run(); });
    document.getElementById("next").addEventListener("click", () => { offset += PAGE; run(); });
    run();
  });
})();
