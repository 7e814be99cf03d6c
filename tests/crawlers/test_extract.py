"""`ascolto extract`: one JSON object per input, main text by trafilatura with page-metadata fallbacks; URLs follow
the crawler's safety rules (loopback refused unless --allow-private)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crawlers.extract import extract_one
from crawlers.extraction import extract_article
from tests.crawlers.conftest import FixtureServer

PAGE = """<!doctype html><html lang="it"><head><title>Pakko, consegne in ritardo | Il Quotidiano</title>
<meta name="author" content="Giulia Verdi"><meta property="article:published_time" content="2026-11-19T08:30:00+01:00">
</head><body><nav><a href="/">Home</a> <a href="/economia">Economia</a></nav>
<article><h1>Pakko, consegne in ritardo in tutta la Lombardia</h1>
<p>I clienti di Pakko segnalano da giorni consegne in ritardo in tutta la Lombardia: pacchi fermi nei depositi,
tracking che non si aggiorna e un servizio clienti che non risponde.</p>
<p>L'azienda attribuisce i problemi alla carenza di corrieri e promette rimborsi delle spese di spedizione a chi
ha atteso più di cinque giorni.</p></article>
<aside>Pubblicità: compra ora!</aside><footer>© 2026 Il Quotidiano - P.IVA 0000</footer></body></html>"""


def test_extract_article_keeps_main_text_and_metadata() -> None:
    result = extract_article(PAGE, "https://quotidiano.example/pakko")
    assert "consegne in ritardo" in result["text"] and "rimborsi" in result["text"]
    assert "Pubblicità" not in result["text"] and "P.IVA" not in result["text"]
    assert result["author"] == "Giulia Verdi" and result["lang"] == "it"
    assert result["published_at"] == "2026-11-19T07:30:00+00:00" and result["title"]
    bare = extract_article("<html><body><p>Velora ok</p></body></html>")  # no metadata at all: sensible fallbacks
    assert bare["text"] == "Velora ok" and bare["published_at"] is None
    assert extract_article(b"\xff\xfe<<<not html")["text"] is not None  # garbage never raises


def test_extract_command_files_and_urls(tmp_path: Path, http_server: FixtureServer) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    http_server.add("/article", PAGE)
    url = f"{http_server.base_url}/article"
    env = {**os.environ, "ASCOLTO_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ascolto", "extract", str(page), url], capture_output=True,
                          text=True, env=env, check=False, timeout=120)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(page), url]
    assert set(lines[0]) == {"source", "title", "text", "author", "published_at", "lang"}
    assert "Lombardia" in lines[0]["text"]
    assert done.returncode == 1 and "refused" in lines[1]["error"]  # loopback URL without --allow-private
    fetched = extract_one(url, allow_private=True)
    assert fetched["source"] == url and fetched["text"] == lines[0]["text"]
