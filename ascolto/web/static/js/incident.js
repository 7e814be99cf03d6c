// Incident page: the crisis story of an incident (?id=) or of a brand over any window (?brand=&since=&until=):
// timeline with the alerts, where it started, how it spread, amplifiers, stories, emerging terms, replies; for an
// incident also its status, owner and notes. Every piece of data reaches the DOM as text (A.el, A.svg).
"use strict";
(function () {
  const A = window.Ascolto;
  const REFRESH_SECONDS = 60;
  const params = new URLSearchParams(window.location.search);
  const incidentId = params.get("id");
  const DEFAULT_WINDOW_MS = 7 * 86400e3;

  function windowQuery() {
    const until = params.get("until") || new Date().toISOString();
    const since = params.get("since") || new Date(new Date(until).getTime() - DEFAULT_WINDOW_MS).toISOString();
    return { brand: A.state.brand, since: since, until: until };
  }

  function kpi(label, value, key, tone) {
    return A.el("div", { class: "kpi" + (tone ? " " + tone : ""), "data-kpi": key },
      A.el("span", { class: "kpi-label" }, label), A.el("span", { class: "kpi-value" }, value));
  }

  function firstSeen(table, rows) {
    A.clear(table);
    if (!rows.length) table.append(A.el("tr", {}, A.el("td", { class: "empty" }, A.t("none"))));
    for (const r of rows) {
      table.append(A.el("tr", { "data-value": r.value },
        A.el("td", { class: "value" }, r.value), A.el("td", {}, r.first_at ? A.time(r.first_at) : "–"),
        A.el("td", { class: "count" }, A.number(r.mentions))));
    }
  }

  function storyCard(s) {
    return A.el("article", { class: "story", "data-count": String(s.count) },
      A.el("div", { class: "story-meta" },
        A.el("span", { class: "story-count" }, A.number(s.count) + " " + A.t("story.count")),
        A.el("span", {}, A.t("story.reach") + " " + A.number(s.reach) + " · "),
        A.el("span", {}, A.t("story.firstAppearance") + " " + A.time(s.first_at) + " · "),
        A.el("span", { class: "source" }, s.first_source + " · " + s.platforms.join(", "))),
      A.el("p", { class: "text" }, s.text),
      s.url ? A.link(s.url, A.t("mention.open")) : null);
  }

  function terms(box, buckets) {
    A.clear(box);
    const found = buckets.filter((b) => b.terms.length);
    if (!found.length) box.append(A.el("p", { class: "empty" }, A.t("none")));
    for (const b of found) {
      box.append(A.el("div", { class: "term-period" }, A.el("strong", {}, A.time(b.start)),
        A.el("ul", { class: "labels" }, b.terms.map((t) => A.el("li", { class: "label topic", title: "×" + t.lift }, t.term)))));
    }
  }

  function replies(box, r) {
    A.clear(box).append(A.el("ul", { class: "terms" },
      A.el("li", { "data-reply": "posts" }, A.t("story.brandPosts") + ": " + A.number(r.brand_posts)),
      A.el("li", { "data-reply": "answered" }, A.t("story.answered") + ": " + A.number(r.answered)),
      A.el("li", { "data-reply": "median" }, A.t("story.firstReply") + ": " + A.duration(r.first_reply_median_seconds)),
      A.el("li", { "data-reply": "unanswered" }, A.t("story.unansweredShare") + ": " + A.number(r.unanswered) + " / " +
        A.number(r.complaints) + " (" + A.percent(r.unanswered_share) + ")")));
  }

  function amplifierRows(rows, field) {
    return rows.map((a) => ({ label: a.author, value: a[field], note: a.mentions }));
  }

  function show(story) {
    document.getElementById("story-window").textContent = story.brand + " · " + A.time(story.since) + " – " + A.time(story.until);
    A.clear(document.getElementById("kpis")).append(
      kpi(A.t("story.total"), A.number(story.total), "total"),
      kpi(A.t("story.negative"), A.number(story.negative) + " (" + A.percent(story.negative_share) + ")", "negative", "bad"),
      kpi(A.t("story.complaints"), A.number(story.complaints), "complaints"),
      kpi(A.t("story.unansweredShare"), A.percent(story.replies.unanswered_share), "unanswered",
        story.replies.unanswered ? "bad" : "ok"),
      kpi(A.t("story.alerts"), A.number(story.alerts.length), "alerts"));
    A.charts.timeline(document.getElementById("timeline"), story.timeline, story.alerts);
    firstSeen(document.getElementById("first-platforms"), story.first_by_platform);
    firstSeen(document.getElementById("first-sources"), story.first_by_source);
    A.charts.lines(document.getElementById("spread"), story.timeline.map((b) => b.start),
      story.spread.map((p) => ({ name: p.platform, counts: p.counts, total: p.total })));
    A.charts.bars(document.getElementById("amp-reach"), amplifierRows(story.amplifiers_by_reach, "reach"));
    A.charts.bars(document.getElementById("amp-engagement"), amplifierRows(story.amplifiers_by_engagement, "engagement"));
    const stories = A.clear(document.getElementById("stories"));
    if (!story.stories.length) stories.append(A.el("p", { class: "empty" }, A.t("none")));
    for (const s of story.stories) stories.append(storyCard(s));
    document.getElementById("stories-partial").textContent = story.read_complete ? "" :
      A.t("story.partial").replace("{read}", A.number(story.read)).replace("{total}", A.number(story.total));
    terms(document.getElementById("story-terms"), story.emerging_terms);
    replies(document.getElementById("replies"), story.replies);
    const first = A.clear(document.getElementById("first-mentions"));
    for (const m of story.first_mentions) first.append(A.mentionCard(m));
  }

  function showIncident(incident) {
    document.getElementById("incident-panel").hidden = false;
    document.getElementById("story-title").textContent = incident.title || incident.id;
    document.getElementById("incident-status").textContent = A.t("story.status." + incident.status) +
      (incident.owner ? " · " + A.t("story.owner") + ": " + incident.owner : "");
    const select = document.getElementById("incident-status-select");
    if (document.activeElement !== select) select.value = incident.status;
    const owner = document.getElementById("incident-owner");
    if (document.activeElement !== owner) owner.value = incident.owner || "";
    const notes = A.clear(document.getElementById("incident-notes"));
    for (const n of incident.notes || []) {
      notes.append(A.el("li", {}, A.el("time", { datetime: n.at }, A.time(n.at)), " · ",
        A.el("strong", {}, n.by || "–"), " · ", n.text));
    }
  }

  async function save(event) {
    event.preventDefault();
    const by = document.getElementById("incident-by").value.trim();
    const note = document.getElementById("incident-note").value.trim();
    const payload = { status: document.getElementById("incident-status-select").value,
      owner: document.getElementById("incident-owner").value.trim() || null, by: by || null };
    if (note) payload.note = note;
    window.localStorage.setItem("ascolto.ackBy", by);
    try {
      showIncident(await A.post("/api/incidents/" + encodeURIComponent(incidentId), payload));
      document.getElementById("incident-note").value = "";
    } catch (error) {
      A.showError(document.getElementById("status"), error);
    }
  }

  function reportLink() {
    const link = document.getElementById("report");
    if (incidentId) {
      link.setAttribute("href", "/api/incidents/" + encodeURIComponent(incidentId) + "/report.pdf?lang=" + A.lang);
      return;
    }
    const q = new URLSearchParams(Object.assign(windowQuery(), { lang: A.lang }));
    link.setAttribute("href", "/api/story/report.pdf?" + q.toString());
  }

  async function refresh() {
    const status = document.getElementById("status");
    try {
      let story;
      if (incidentId) {
        const id = encodeURIComponent(incidentId);
        const [detail, found] = await Promise.all([A.api("/api/incidents/" + id), A.api("/api/incidents/" + id + "/story")]);
        showIncident(detail.incident);
        story = found;
      } else {
        story = await A.api("/api/story", windowQuery());
      }
      show(story);
      reportLink();
      A.loaded(status);
    } catch (error) {
      A.showError(status, error);
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    document.getElementById("incident-by").value = window.localStorage.getItem("ascolto.ackBy") || "";
    document.getElementById("incident-form").addEventListener("submit", save);
    if (!(await A.start(refresh))) return;
    A.every(REFRESH_SECONDS, refresh);
    refresh();
  });
})();
