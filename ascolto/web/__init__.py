"""Web API and dashboard: what the brand team watches all day, the care queue, search and alerts.

`create_app(store_location, config)` builds the FastAPI app; `ascolto serve` (ascolto.web.server) serves it on
loopback by default. The API is documented by its OpenAPI schema at /openapi.json:

    GET  /api/brands                      brands watched, with their care target
    GET  /api/overview                    one brand: sentiment series, alert markers, share of voice, topics,
                                          emerging terms, care metrics and happiness trend (the overview page)
    GET  /api/care, /api/care/queue       care metrics; complaints awaiting a reply, oldest first
    GET  /api/mentions[/{id}]             search: query language (q), free text, filters, sort, pages, facets
    GET  /api/timeseries                  counts per bucket (core.timebuckets), optionally split
    GET  /api/breakdown/{field}           sentiment, intent, topics, source, platform, lang, brands, ...
    GET  /api/share-of-voice              mentions per brand and their shares
    GET  /api/top/{authors|sources}       by reach (author_reach summed)
    GET  /api/alerts[/{id}]               alerts, and one alert with its evidence mentions
    POST /api/alerts/{id}/acknowledge     {"by": "name"}
    GET  /api/story                       a brand's crisis story over a window (the incident page)
    GET  /api/incidents/{id}/story        the same over an incident's window
    GET  /api/story/report.pdf, /api/incidents/{id}/report.pdf   the crisis report, as PDF

Everything is asked of the MentionStore interface, so SQLite and Elasticsearch give the same answers. The pages
are Jinja2 templates under templates/ sharing one base (head, header, footer), with the CSS and JavaScript under
static/ (no build step, no library): data only ever reaches the DOM as text, and the Content-Security-Policy
forbids inline script.
"""

DEFAULT_HOST = "127.0.0.1"  # loopback: any other address requires the token
DEFAULT_PORT = 8765
