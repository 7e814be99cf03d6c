// Shared helpers. Every piece of data reaches the page through textContent or setAttribute on safe attributes:
// crawled text and author names are untrusted, so nothing here ever assigns HTML.
"use strict";
(function () {
  const A = (window.Ascolto = window.Ascolto || {});
  const SVG_NS = "http://www.w3.org/2000/svg";

  // el("a", {class: "x", href: url}, child, "text", ...): children are nodes or plain text (never HTML)
  A.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };
  A.svg = function (tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };
  function setAttrs(node, attrs) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (/^on/i.test(name) || name === "style" || name === "srcdoc") throw new Error("refusing attribute " + name);
      if ((name === "href" || name === "src") && typeof value === "string" && !A.isSafeTarget(value)) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  A.clear = function (node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  };

  // links from data: absolute http(s) only (no javascript:, data:, relative tricks); others are shown as text
  A.safeUrl = function (value) {
    if (typeof value !== "string" || !/^https?:\/\//i.test(value.trim())) return null;
    try {
      const url = new URL(value.trim());
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  };
  A.isSafeTarget = function (value) {
    return value.startsWith("/") && !value.startsWith("//") ? true : A.safeUrl(value) !== null;
  };
  A.link = function (url, label) {
    const safe = A.safeUrl(url);
    if (!safe) return A.el("span", { class: "unsafe-link", title: A.t("mention.unsafeLink") }, label);
    return A.el("a", { href: safe, target: "_blank", rel: "noopener noreferrer nofollow ugc" }, label);
  };

  // state shared by the pages: brand and window, from the address bar, else the last choice
  const params = new URLSearchParams(window.location.search);
  A.state = {
    brand: params.get("brand") || window.localStorage.getItem("ascolto.brand") || "",
    window: params.get("window") || window.localStorage.getItem("ascolto.window") || "7d",
  };
  if (!["24h", "7d", "30d"].includes(A.state.window)) A.state.window = "7d";

  A.api = async function (path, query, options) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query || {})) {
      if (value === null || value === undefined || value === "") continue;
      for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
    }
    const url = path + (search.toString() ? "?" + search.toString() : "");
    const response = await fetch(url, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {}));
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const detail = body && body.detail ? body.detail : response.statusText;
      throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
    }
    return body;
  };
  A.post = function (path, payload) {
    return A.api(path, null, {
      method: "POST", credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
  };

  // formatting
  // the same rule as core.wording.duration (tests/web/test_web_wording.py holds them equal): round once, to the
  // precision of the largest unit shown, then split, so no unit reads 60 min or 24 h ("6 d 24 h" is "7 d")
  A.duration = function (seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + " " + A.t("unit.s");
    const minutes = Math.round(s / 60);
    if (minutes < 60) return minutes + " " + A.t("unit.min");
    if (minutes < 24 * 60) {
      const h = Math.floor(minutes / 60), m = minutes % 60;
      return h + " " + A.t("unit.h") + (m ? " " + m + " " + A.t("unit.min") : "");
    }
    const hours = Math.round(s / 3600), d = Math.floor(hours / 24), h = hours % 24;
    return d + " " + A.t("unit.d") + (h ? " " + h + " " + A.t("unit.h") : "");
  };
  A.percent = function (x) {
    return x === null || x === undefined ? "–" : (x * 100).toLocaleString(A.lang, { maximumFractionDigits: 1 }) + "%";
  };
  A.number = function (x) {
    return x === null || x === undefined ? "–" : Number(x).toLocaleString(A.lang);
  };
  A.signed = function (x) {
    if (x === null || x === undefined) return "–";
    return (x > 0 ? "+" : "") + x.toLocaleString(A.lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  };
  A.time = function (iso) {
    const date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleString(A.lang, { dateStyle: "short", timeStyle: "short" });
  };
  A.windowMs = { "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3 };

  // one mention, as text: source, author, time, labels and a link
  A.mentionCard = function (m, extra) {
    const labels = A.el("ul", { class: "labels" });
    if (m.sentiment) labels.append(A.el("li", { class: "label s-" + m.sentiment }, A.t("sentiment." + m.sentiment)));
    if (m.intent) labels.append(A.el("li", { class: "label i-" + m.intent }, A.t("intent." + m.intent)));
    for (const topic of m.topics || []) labels.append(A.el("li", { class: "label topic" }, topic));
    if (m.lang) labels.append(A.el("li", { class: "label lang" }, m.lang));
    if (m.is_owned) labels.append(A.el("li", { class: "label owned" }, A.t("mention.owned")));
    if (m.first_reply_at) labels.append(A.el("li", { class: "label replied" }, A.t("mention.replied")));
    const text = m.text.length > 800 ? m.text.slice(0, 800) + "…" : m.text;
    return A.el("article", { class: "mention", "data-id": m.id },
      A.el("header", {},
        A.el("span", { class: "source" }, m.source + " · " + m.platform),
        A.el("span", { class: "author" }, m.author || "–"),
        m.author_reach ? A.el("span", { class: "reach" }, A.t("mention.reach") + " " + A.number(m.author_reach)) : null,
        A.el("time", { datetime: m.published_at }, A.time(m.published_at)),
        extra || null),
      m.title ? A.el("h3", { class: "title" }, m.title) : null,
      A.el("p", { class: "text" }, text),
      A.el("footer", {}, labels, m.url ? A.link(m.url, A.t("mention.open")) : null));
  };

  A.showError = function (node, error) {
    A.clear(node).append(A.el("p", { class: "error", role: "alert" }, A.t("error") + ": " + error.message));
  };

  // header: brand and window selectors, language switch, navigation state
  // every page starts by loading its header: false when it cannot (the error is shown in #status)
  A.start = async function (onChange) {
    try {
      await A.initHeader(onChange);
      return true;
    } catch (error) {
      A.showError(document.getElementById("status"), error);
      return false;
    }
  };
  A.initHeader = async function (onChange) {
    A.applyText();
    const brandSelect = document.getElementById("brand");
    const windowSelect = document.getElementById("window");
    document.querySelectorAll("[data-lang]").forEach((button) => {
      button.addEventListener("click", () => {
        A.setLang(button.getAttribute("data-lang"));
        onChange();
      });
    });
    document.querySelectorAll("nav a[data-page]").forEach((a) => {
      if (a.getAttribute("data-page") === document.body.getAttribute("data-page")) a.setAttribute("aria-current", "page");
    });
    if (windowSelect) {
      windowSelect.value = A.state.window;
      windowSelect.addEventListener("change", () => {
        A.state.window = windowSelect.value;
        window.localStorage.setItem("ascolto.window", A.state.window);
        onChange();
      });
    }
    if (brandSelect) {
      const data = await A.api("/api/brands");
      A.brands = data.brands;
      for (const b of data.brands) brandSelect.append(A.el("option", { value: b.name }, b.name));
      if (!data.brands.some((b) => b.name === A.state.brand)) A.state.brand = data.brands.length ? data.brands[0].name : "";
      brandSelect.value = A.state.brand;
      brandSelect.addEventListener("change", () => {
        A.state.brand = brandSelect.value;
        window.localStorage.setItem("ascolto.brand", A.state.brand);
        onChange();
      });
    }
  };

  // refresh every few seconds while the page is visible, one request at a time
  A.every = function (seconds, task) {
    let busy = false;
    const run = async () => {
      if (busy || document.hidden) return;
      busy = true;
      try {
        await task();
      } finally {
        busy = false;
      }
    };
    window.setInterval(run, seconds * 1000);
    return run;
  };
  // a panel that redraws itself every few seconds: `fill(box)` reads and draws it; an error is shown in the box
  A.panel = function (id, seconds, fill) {
    const refresh = async () => {
      const box = document.getElementById(id);
      try {
        await fill(box);
        box.setAttribute("data-loaded", "true");
      } catch (error) {
        A.showError(box, error);
      }
    };
    document.addEventListener("DOMContentLoaded", () => {
      A.every(seconds, refresh);
      refresh();
    });
  };
  // a page drawn: its status line cleared, the page marked loaded (what the browser tests wait for), time stamped
  A.loaded = function (status) {
    status.textContent = "";
    document.body.setAttribute("data-loaded", "true");
    A.stamp();
  };
  A.stamp = function () {
    const node = document.getElementById("updated");
    if (node) node.textContent = A.t("updated") + " " + new Date().toLocaleTimeString(A.lang);
  };
})();
