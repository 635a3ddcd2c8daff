"""Load the demo's synonyms, colloquial phrasings and life events (data/search.json), idempotently.

Through the same services as the admin and the API (so the same checks and the change log, actor =
the system). Like the rest of the demo it never overwrites an administrator's work: a phrase or code
that exists is left alone, except a life event created by migration 0003 from its theme and never
edited since (no phrasings, no items) — the demo fills it in.
"""

from __future__ import annotations

import json
from pathlib import Path

from tongban.catalogue import search_services
from tongban.catalogue.models import LifeEventIntent, SearchSynonym

from .loader import item_code

__all__ = ["load_search_data"]

DATA = Path(__file__).resolve().parent / "data" / "search.json"


def _codes(short: list[str]) -> list[str]:
    """``GA-005`` → ``440106-GA-005``."""
    out = []
    for code in short:
        key, no = code.rsplit("-", 1)
        out.append(item_code(key, int(no)))
    return out


def load_search_data() -> dict[str, int]:
    """Create what is missing; returns how many rows were created and how many life events filled in."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    tally = {"created": 0, "updated": 0}
    existing = set(SearchSynonym.objects.values_list("phrase", flat=True))
    for group in data["synonyms"]:
        for phrase in group["phrases"]:
            if phrase in existing:
                continue
            fields = {
                "phrase": phrase,
                "terms": group.get("terms", []),
                "item_codes": _codes(group.get("items", [])),
                "note": group.get("note", ""),
            }
            search_services.synonym_create(actor=None, fields=fields, kind="imported")
            existing.add(phrase)
            tally["created"] += 1
    events = {e.code: e for e in LifeEventIntent.objects.all()}
    for position, spec in enumerate(data["life_events"], start=1):
        fields = {
            "code": spec["code"],
            "name": spec["name"],
            "description": spec.get("description", ""),
            "phrases": spec.get("phrases", []),
            "theme": spec.get("theme", ""),
            "item_codes": _codes(spec.get("items", [])),
            "sort_order": spec.get("sort_order", position * 10),
        }
        event = events.get(spec["code"])
        if event is None:
            search_services.life_event_create(actor=None, fields=fields, kind="imported")
            tally["created"] += 1
        elif not event.phrases and not event.item_codes and not event.description:
            search_services.life_event_update(actor=None, event=event.pk, fields=fields, kind="imported")
            tally["updated"] += 1
    return tally
