from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]

GOOD = """
brands:
  - name: Velora
    aliases: [Velora Mobile]
    handles: [velora]
    hashtags: ["#velora"]
    owned_accounts: [velora_care]
sources:
  - {name: news, kind: feed, urls: ["http://127.0.0.1:1/rss.xml"], allow_private: true}
alerts:
  - {name: spike, detector: volume_spike, brand: Velora, channels: [out]}
channels:
  - {name: out, kind: file, path: outbox.jsonl}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ascolto.yaml"
    path.write_text(text)
    return path


def test_example_config_is_valid() -> None:
    config = load_config(REPO / "config" / "example.yaml")
    assert config.brands[0].name == "Velora"
    assert {c.kind for c in config.channels} == {"email", "slack", "file"}


def test_good_config_normalises_handles_and_builds_a_default_query(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    brand = config.brands[0]
    assert brand.handles == ["@velora"]
    assert "Velora Mobile" in brand.effective_query()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("kind: feed", "kind: telepathy"), "sources[0].kind"),
        (GOOD.replace("channels: [out]", "channels: [nowhere]"), "unknown channel 'nowhere'"),
        (GOOD.replace("brand: Velora,", "brand: Nobody,"), "alerts[0].brand: unknown brand 'Nobody'"),
        (GOOD.replace('urls: ["http://127.0.0.1:1/rss.xml"], ', ""), "sources[0].urls: Field required"),
        (GOOD.replace("detector: volume_spike", "detector: volume_spike, window: soon"), "alerts[0].window"),
        (GOOD + "surprise: 1\n", "surprise: Extra inputs are not permitted"),
        ("brands: [\n", "invalid YAML"),
        ("- just a list\n", "(top level)"),
    ],
)
def test_bad_config_names_file_key_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_bad_config_exits_2_and_writes_nothing(tmp_path: Path, ascolto_home: Path, cli_env, ascolto_cmd) -> None:
    path = write(tmp_path, GOOD.replace("kind: file", "kind: carrier-pigeon"))
    store = tmp_path / "store.sqlite3"
    mentions = tmp_path / "in.jsonl"
    mentions.write_text('{"source": "s", "text": "Velora", "published_at": "2026-11-20T10:00:00Z"}\n')
    before = sorted(p.name for p in ascolto_home.rglob("*"))
    proc = subprocess.run(
        [*ascolto_cmd, "--store", str(store), "ingest", "--input", str(mentions), "--config", str(path)],
        capture_output=True, text=True, env=cli_env, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert str(path) in proc.stderr and "channels[0]" in proc.stderr
    assert not store.exists()
    assert sorted(p.name for p in ascolto_home.rglob("*")) == before
