"""Care topics: a folded-stem lexicon (Italian and English) united with a trained multi-label model.

The lexicon gives precision on the words care teams use; the model generalises to phrasings the lexicon
misses (trained on the project's examples and the airline tweets' negative reasons).
"""

from __future__ import annotations

import re

TOPICS: tuple[str, ...] = (
    "delivery", "billing_refund", "product_quality", "customer_service", "app_website", "price",
    "delays_cancellations", "network_outage",
)

_STEMS: dict[str, str] = {
    "delivery": r"consegn\w*|spedizion\w*|spedit\w*|corrier\w*|pacc[oh]\w*|tracking|giacenza|ritiro pacc\w*|"
                r"deliver\w*|shipping|shipped|shipment|parcel\w*|package\w*|courier\w*|tracking number|"
                r"lost (?:bag|luggage)\w*|baggage|luggage|bagagl\w* smarrit\w*",
    "billing_refund": r"bollett\w*|fattur\w*|rimbors\w*|addebit\w*|conguagl\w*|pagament\w*|bonific\w*|"
                      r"commission\w*|rata|rate mensili|refund\w*|bill(?:ed|ing|s)?|invoice\w*|charged|"
                      r"overcharg\w*|double charg\w*|chargeback|reimburs\w*|voucher|payment\w*",
    "product_quality": r"difett\w*|rott[oaie]|guast[oaie] (?:dopo|appena)|scadent\w*|qualita|si e rott\w*|"
                       r"defect\w*|faulty|broken|broke down|poor quality|stopped working|damaged|cracked|"
                       r"scadut\w*|expired|malfunction\w*",
    "customer_service": r"servizio client\w*|assistenza|operator\w*|call cent\w*|numero verde|sportell\w*|"
                        r"reclam\w*|customer (?:service|care|support)|support team|agent\w*|on hold|"
                        r"hung up|helpdesk|help desk|nessuno rispond\w*|no one (?:answers|responds)|"
                        r"personale|staff|flight attendant\w*|hostess|steward\w*",
    "app_website": r"\bapp\b|applicazion\w*|sito|website|web site|log ?in|accedere|accesso|password|otp|"
                   r"area (?:clienti|riservata)|check.?in online|online check.?in|crash\w*|aggiornament\w* "
                   r"dell.?app|update|checkout|pagina|page",
    "price": r"prezz\w*|costos\w*|tariff\w*|rincar\w*|aument\w* (?:del|di|della|delle)|canone|rimodulazion\w*|"
             r"caro|cari|price\w*|pricing|expensive|overpriced|fees?|hike\w*|cheap\w*|conveni\w*|sconto|"
             r"sconti|discount\w*",
    "delays_cancellations": r"ritard\w*|cancellat\w*|soppress\w*|annullat\w*|cancel+ed|delay\w*|late flight|"
                            r"running late|rescheduled|missed (?:my )?connection|coincidenza persa|puntual\w*|"
                            r"on time",
    "network_outage": r"\bfibra\b|adsl|connession\w*|internet|senza linea|linea (?:cade|assente)|segnale|"
                      r"\bmodem\b|disservizi\w*|blackout|senza luce|senza gas|outage|no signal|wifi|wi-fi|"
                      r"broadband|network down|power cut|\bdown\b",
}
# one alternation with a named group per topic: a single pass over the text finds every topic
_LEXICON = re.compile(r"\b(?:" + "|".join(f"(?P<{topic}>{pattern})" for topic, pattern in _STEMS.items())
                      + r")(?!\w)")


def lexicon_topics(folded: str) -> list[str]:
    """Topics whose words occur in `folded` (case- and accent-folded text)."""
    found = {m.lastgroup for m in _LEXICON.finditer(folded)}
    return [topic for topic in TOPICS if topic in found]
