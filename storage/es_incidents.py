"""Elasticsearch answers to the incident questions of AlertStore (storage/base.py): one small index
`{prefix}-incidents` (index_mappings/incidents.index-template.json), `alert_ids` a keyword for
incident_of_alert. Ordering as the embedded store: opened_at descending, then id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.model import Incident
from storage.base import statuses
from storage.es_schema import incident_doc, incident_from_source


class ElasticsearchIncidents:
    """Mixed into ElasticsearchStore (which provides client, layout, _fresh, _search and _dirty)."""

    client: Any
    layout: Any
    _dirty: bool

    def _fresh(self) -> None:
        raise NotImplementedError

    def _search(self, index: str | None = None) -> Any:
        raise NotImplementedError

    def save_incident(self, incident: Incident) -> None:
        self.client.index(index=self.layout.incidents, id=incident.id, document=incident_doc(incident))
        self._dirty = True

    def get_incident(self, incident_id: str) -> Incident | None:
        response = self.client.options(ignore_status=404).get(index=self.layout.incidents, id=incident_id)
        return incident_from_source(response["_source"]) if response.get("found") else None

    def list_incidents(
        self, brand: str | None = None, status: str | Sequence[str] | None = None, limit: int = 50
    ) -> list[Incident]:
        self._fresh()
        s = self._search(self.layout.incidents)
        if brand is not None:
            s = s.filter("term", brand=brand)
        wanted = statuses(status)
        if wanted:
            s = s.filter("terms", status=wanted)
        s = s.sort({"opened_at_ms": "desc"}, {"id": "asc"}).extra(size=limit)
        return [incident_from_source(hit.to_dict()) for hit in s.execute().hits]

    def incident_of_alert(self, alert_id: str) -> Incident | None:
        self._fresh()
        s = self._search(self.layout.incidents).filter("term", alert_ids=alert_id)
        hits = s.sort({"opened_at_ms": "desc"}, {"id": "asc"}).extra(size=1).execute().hits
        return incident_from_source(hits[0].to_dict()) if hits else None
