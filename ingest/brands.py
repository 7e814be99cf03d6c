"""The one brand matcher and ownership rule, used by the crawlers (to keep or skip what they fetch) and by ingest
(to label what it stores). Also where the configuration meets the query language: brand queries are checked here,
because the configuration schema (core.config) sits below the query parser (nlp.query)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from core.config import Brand, Config, ConfigError, config_from_dict, load_config
from core.urls import is_on_domain
from nlp.query import Query, QuerySyntaxError, TextIndex, parse_query

_ADDRESSED = re.compile(r"(?<![\w@])@([\w.]+(?:@[\w.-]+)?)")  # @account, or @account@instance


def account_key(account: str) -> str:
    return account.lower().lstrip("@")


def account_matches(author: str, owned: Iterable[str]) -> bool:
    """Is `author` one of the brand's own accounts? Case and a leading '@' do not count, and a fediverse handle
    `name@instance` is the account `name` when the configured account names no instance."""
    author = account_key(author)
    keys = {account_key(a) for a in owned}
    return author in keys or author.split("@")[0] in {k for k in keys if "@" not in k}


class BrandMatcher:
    """Which of `brands` a text is about (their queries), and whether an author or URL is one of theirs."""

    def __init__(self, brands: Sequence[Brand]) -> None:
        self.brands = list(brands)
        self._queries: list[tuple[Brand, Query]] = [(b, parse_query(b.effective_query())) for b in self.brands]

    def matching(self, title: str | None, text: str) -> list[str]:
        """Names of the brands whose query matches the title and text, in configuration order."""
        words = TextIndex.of(f"{title or ''}\n{text}")  # built once, shared by every brand's query
        return [brand.name for brand, query in self._queries if query.matches_index(words)]

    def about(self, title: str | None, text: str, author: str | None) -> list[str]:
        """The brands whose query matches, the brand whose own account wrote the text, and the brands whose own
        accounts it addresses: a brand's replies ("@anna ci scusi, ci scriva in privato") and the customer's
        answer to them ("@VeloraCare ancora niente") count for its care metrics even without its name."""
        found = self.matching(title, text)
        owner = self.owner_of(author)
        addressed = {account_key(a.rstrip(".")) for a in _ADDRESSED.findall(text)}
        for brand in self.brands:
            if brand.name not in found and ((owner is not None and brand.name == owner.name)
                                            or any(account_matches(a, brand.owned_accounts) for a in addressed)):
                found.append(brand.name)
        return found

    def owner_of(self, author: str | None) -> Brand | None:
        """The brand whose own account wrote this, if any."""
        if not author:
            return None
        return next((b for b in self.brands if account_matches(author, b.owned_accounts)), None)

    def is_owned(self, author: str | None, url: str | None, brand_names: Iterable[str]) -> bool:
        """Written by one of these brands: from one of its accounts, or on one of its domains."""
        names = set(brand_names)
        for brand in self.brands:
            if brand.name not in names:
                continue
            if author and account_matches(author, brand.owned_accounts):
                return True
            if url and brand.owned_domains and is_on_domain(url, brand.owned_domains):
                return True
        return False


def check_brand_queries(config: Config, origin: str = "<config>") -> Config:
    """Raise ConfigError ('<origin>: brands[i].query: ...') for a brand query that does not parse."""
    problems = []
    for i, brand in enumerate(config.brands):
        if brand.query.strip():
            try:
                parse_query(brand.query)
            except QuerySyntaxError as exc:  # names the position and the expected token
                problems.append(f"{origin}: brands[{i}].query: {exc}")
    if problems:
        raise ConfigError("\n".join(problems))
    return config


def load_checked_config(path: str | Path) -> Config:
    """core.config.load_config, brand queries included."""
    return check_brand_queries(load_config(path), str(path))


def checked_config_from_dict(raw: dict[str, Any], origin: str = "<config>") -> Config:
    """core.config.config_from_dict, brand queries included."""
    return check_brand_queries(config_from_dict(raw, origin), origin)
