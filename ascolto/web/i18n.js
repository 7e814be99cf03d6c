// Interface text in Italian and English, from core/wording (served as /static/js/i18n.js by ascolto/web/app.py).
// Data (mention text, authors) is never translated or parsed as HTML.
"use strict";
(function () {
  const A = (window.Ascolto = window.Ascolto || {});
  // the one catalogue of wording (core/wording/*.json), shared with the alert messages; put here by the server
  const TEXT = /*CATALOGUE*/;

  function initialLang() {
    const saved = window.localStorage.getItem("ascolto.lang");
    if (saved === "it" || saved === "en") return saved;
    return (navigator.language || "it").toLowerCase().startsWith("it") ? "it" : "en";
  }

  A.lang = initialLang();
  A.t = function (key) {
    const table = TEXT[A.lang] || TEXT.it;
    return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
  };
  A.applyText = function (root) {
    document.documentElement.lang = A.lang;
    (root || document).querySelectorAll("[data-i18n]").forEach((node) => {
      node.textContent = A.t(node.getAttribute("data-i18n"));
    });
    (root || document).querySelectorAll("[data-i18n-placeholder]").forEach((node) => {
      node.setAttribute("placeholder", A.t(node.getAttribute("data-i18n-placeholder")));
    });
  };
  A.setLang = function (lang) {
    A.lang = lang === "en" ? "en" : "it";
    window.localStorage.setItem("ascolto.lang", A.lang);
    A.applyText();
  };
})();
