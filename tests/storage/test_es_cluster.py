"""Pointing the store at an existing cluster: several hosts, credentials and CA from the environment, shards and
replicas of the mention indices from the store URL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from elasticsearch import Elasticsearch

from core.model import Mention
from storage.base import MentionFilter
from storage.elasticsearch import ElasticsearchStore
from storage.es_connect import credentials_from_env, hosts_of, layout_of, parse_url


def test_several_hosts_keep_their_credentials_and_the_shown_url_hides_the_password() -> None:
    base, prefix, shown = parse_url("https://ops:s3cret@es1:9200,es2:9201/?index_prefix=brandx&shards=3")
    assert prefix == "brandx"
    assert hosts_of(base) == ["https://ops:s3cret@es1:9200", "https://ops:s3cret@es2:9201"]
    assert "s3cret" not in shown and shown.startswith("https://ops@es1:9200,es2:9201")
    assert hosts_of(parse_url("http://127.0.0.1:9200")[0]) == ["http://127.0.0.1:9200"]


def test_credentials_and_ca_come_from_the_environment() -> None:
    assert credentials_from_env({}) == {}
    assert credentials_from_env({"ASCOLTO_ES_API_KEY": "k", "ASCOLTO_ES_USERNAME": "u"}) == {"api_key": "k"}
    assert credentials_from_env({"ASCOLTO_ES_USERNAME": "u", "ASCOLTO_ES_PASSWORD": "p",
                                 "ASCOLTO_ES_CA_CERTS": "/etc/ca.pem"}) == {"basic_auth": ("u", "p"),
                                                                            "ca_certs": "/etc/ca.pem"}


def test_layout_takes_shards_and_replicas_from_the_url() -> None:
    layout = layout_of("http://h:9200/?index_prefix=x&shards=4&replicas=2", "x")
    assert (layout.prefix, layout.shards, layout.replicas) == ("x", 4, 2)
    default = layout_of("http://h:9200", "ascolto")
    assert (default.shards, default.replicas) == (None, None)


@pytest.mark.elasticsearch
def test_new_monthly_indices_get_the_configured_shards_and_replicas(es_url: str) -> None:
    at = datetime(2026, 10, 5, 12, tzinfo=UTC)
    with ElasticsearchStore(f"{es_url}&shards=2&replicas=0") as store:
        store.upsert([Mention(id="a", brands=["B"], source="s", text="ciao", published_at=at, fetched_at=at)])
        index = store.layout.month_index(at)
        client = Elasticsearch(parse_url(es_url)[0])
        try:
            settings = client.indices.get_settings(index=index)[index]["settings"]["index"]
        finally:
            client.close()
        assert (settings["number_of_shards"], settings["number_of_replicas"]) == ("2", "0")
        assert store.count_buckets(MentionFilter(), "1d")[0][1] == 1  # answers as before over two shards

