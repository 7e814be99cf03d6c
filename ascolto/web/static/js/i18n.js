// Interface text in Italian and English. Data (mention text, authors) is never translated or parsed as HTML.
"use strict";
(function () {
  const A = (window.Ascolto = window.Ascolto || {});
  const TEXT = {
    it: {
      "nav.overview": "Panoramica", "nav.care": "Coda assistenza", "nav.search": "Ricerca", "nav.alerts": "Allerte",
      "brand": "Marchio", "window": "Periodo", "window.24h": "24 ore", "window.7d": "7 giorni", "window.30d": "30 giorni",
      "updated": "Aggiornato alle", "loading": "Caricamento…", "error": "Errore", "none": "Nessun dato",
      "kpi.total": "Menzioni", "kpi.complaintShare": "Quota reclami", "kpi.happiness": "Indice di soddisfazione",
      "kpi.median": "Prima risposta (mediana)", "kpi.p90": "Prima risposta (90° percentile)",
      "kpi.unanswered": "Reclami senza risposta", "kpi.oldest": "Il più vecchio attende da",
      "kpi.resolution": "Tasso di risoluzione", "kpi.openAlerts": "Allerte aperte", "kpi.target": "obiettivo",
      "kpi.withinTarget": "entro l'obiettivo", "kpi.vsPrevious": "rispetto al periodo precedente",
      "kpi.overTarget": "oltre l'obiettivo",
      "chart.volume": "Volume per sentiment", "chart.sov": "Quota di voce", "chart.topics": "Argomenti principali",
      "chart.terms": "Termini emergenti (ultime 24 ore)", "chart.happiness": "Andamento della soddisfazione",
      "chart.alertMarker": "Allerta", "chart.max": "max", "chart.authors": "Autori per copertura",
      "chart.sources": "Fonti per copertura", "chart.mentions": "menzioni",
      "sentiment.negative": "negativo", "sentiment.neutral": "neutro", "sentiment.positive": "positivo",
      "sentiment.unlabelled": "non analizzato",
      "intent.complaint": "reclamo", "intent.question": "domanda", "intent.praise": "elogio", "intent.other": "altro",
      "care.title": "Reclami in attesa di risposta", "care.age": "Attesa", "care.source": "Fonte",
      "care.author": "Autore", "care.topic": "Argomento", "care.text": "Testo", "care.link": "Link",
      "care.empty": "Nessun reclamo in attesa: ottimo lavoro.", "care.total": "in coda",
      "search.q": "Query (es. consegna OR rimborso)", "search.go": "Cerca", "search.sort": "Ordina",
      "sort.published_at_desc": "più recenti", "sort.published_at_asc": "meno recenti",
      "sort.relevance": "pertinenza", "sort.reach_desc": "copertura", "search.results": "risultati",
      "search.atLeast": "almeno", "search.prev": "‹ Precedenti", "search.next": "Successivi ›",
      "facet.sentiment": "Sentiment", "facet.intent": "Intento", "facet.topics": "Argomento",
      "facet.source": "Fonte", "facet.platform": "Piattaforma", "facet.lang": "Lingua", "facet.brands": "Marchio",
      "mention.open": "Apri la fonte", "mention.unsafeLink": "link non sicuro, non apribile", "mention.reach": "copertura",
      "mention.owned": "risposta del marchio", "mention.replied": "risposto",
      "alerts.open": "Allerte aperte", "alerts.past": "Allerte passate", "alerts.evidence": "Mostra le prove",
      "alerts.hideEvidence": "Nascondi le prove", "alerts.ack": "Prendi in carico", "alerts.by": "Il tuo nome",
      "alerts.ackedBy": "Presa in carico da", "alerts.observed": "osservato", "alerts.expected": "atteso",
      "alerts.terms": "Termini", "alerts.none": "Nessuna allerta", "alerts.needName": "Scrivi il tuo nome",
      "status.open": "aperta", "status.acknowledged": "presa in carico", "status.resolved": "risolta",
      "severity.info": "info", "severity.warning": "attenzione", "severity.critical": "critica",
      "unit.min": "min", "unit.h": "h", "unit.d": "g", "unit.s": "s",
    },
    en: {
      "nav.overview": "Overview", "nav.care": "Care queue", "nav.search": "Search", "nav.alerts": "Alerts",
      "brand": "Brand", "window": "Period", "window.24h": "24 hours", "window.7d": "7 days", "window.30d": "30 days",
      "updated": "Updated at", "loading": "Loading…", "error": "Error", "none": "No data",
      "kpi.total": "Mentions", "kpi.complaintShare": "Complaint share", "kpi.happiness": "Customer happiness index",
      "kpi.median": "First reply (median)", "kpi.p90": "First reply (90th percentile)",
      "kpi.unanswered": "Unanswered complaints", "kpi.oldest": "Oldest waiting for",
      "kpi.resolution": "Resolution rate", "kpi.openAlerts": "Open alerts", "kpi.target": "target",
      "kpi.withinTarget": "within target", "kpi.vsPrevious": "vs previous period", "kpi.overTarget": "over target",
      "chart.volume": "Volume by sentiment", "chart.sov": "Share of voice", "chart.topics": "Top topics",
      "chart.terms": "Emerging terms (last 24 hours)", "chart.happiness": "Happiness trend",
      "chart.alertMarker": "Alert", "chart.max": "max", "chart.authors": "Top authors by reach",
      "chart.sources": "Top sources by reach", "chart.mentions": "mentions",
      "sentiment.negative": "negative", "sentiment.neutral": "neutral", "sentiment.positive": "positive",
      "sentiment.unlabelled": "not analysed",
      "intent.complaint": "complaint", "intent.question": "question", "intent.praise": "praise", "intent.other": "other",
      "care.title": "Complaints awaiting a reply", "care.age": "Waiting", "care.source": "Source",
      "care.author": "Author", "care.topic": "Topic", "care.text": "Text", "care.link": "Link",
      "care.empty": "No complaint is waiting: well done.", "care.total": "in the queue",
      "search.q": "Query (e.g. delivery OR refund)", "search.go": "Search", "search.sort": "Sort",
      "sort.published_at_desc": "newest", "sort.published_at_asc": "oldest", "sort.relevance": "relevance",
      "sort.reach_desc": "reach", "search.results": "results", "search.atLeast": "at least",
      "search.prev": "‹ Previous", "search.next": "Next ›",
      "facet.sentiment": "Sentiment", "facet.intent": "Intent", "facet.topics": "Topic", "facet.source": "Source",
      "facet.platform": "Platform", "facet.lang": "Language", "facet.brands": "Brand",
      "mention.open": "Open the source", "mention.unsafeLink": "unsafe link, not opened", "mention.reach": "reach",
      "mention.owned": "brand reply", "mention.replied": "replied",
      "alerts.open": "Open alerts", "alerts.past": "Past alerts", "alerts.evidence": "Show evidence",
      "alerts.hideEvidence": "Hide evidence", "alerts.ack": "Acknowledge", "alerts.by": "Your name",
      "alerts.ackedBy": "Acknowledged by", "alerts.observed": "observed", "alerts.expected": "expected",
      "alerts.terms": "Terms", "alerts.none": "No alerts", "alerts.needName": "Write your name",
      "status.open": "open", "status.acknowledged": "acknowledged", "status.resolved": "resolved",
      "severity.info": "info", "severity.warning": "warning", "severity.critical": "critical",
      "unit.min": "min", "unit.h": "h", "unit.d": "d", "unit.s": "s",
    },
  };

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
