"""Load the demo district (天河区) from the JSON files in ``data/``: idempotent, one transaction.

Why a loader and not a Django fixture: fixtures insert rows blindly (a second load duplicates or fails),
skip ``full_clean`` (bad data would slip in silently), and cannot hash passwords or compute the pinyin
search columns. This loader matches every row by its natural key (region/hall code, department credit
code, username, ID number / credit code, item code), creates what is missing, corrects what differs from
the files, and leaves everything else untouched, so running it twice adds and changes nothing.

Item codes are ``<district code>-<department key>-<NNN>``, e.g. ``440106-SCJG-001`` (企业设立登记):
stable as long as a file's ``no`` stays put. An item whose code already has a later version (edited
through the catalogue) is left alone: the demo data never overwrites an administrator's work.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from tongban.accounts.models import Applicant, User, UserKind
from tongban.catalogue.choices import CaseKind, ItemEventKind, ItemStatus, LimitUnit, OnlineDepth
from tongban.catalogue.models import ItemEvent, MaterialRequirement, ServiceItem
from tongban.common.choices import ApplicantKind, ItemCategory
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import Department, Region, ServiceHall, StaffAssignment, Window

__all__ = ["DEMO_PASSWORD", "DISTRICT_CODE", "HALL_CODE", "demo_logins", "item_code", "load_demo"]

DATA_DIR = Path(__file__).resolve().parent / "data"
# One password for every demo login (staff and applicants); printed by `tongban demo`. Demo only.
DEMO_PASSWORD = "Tongban@2026"
DISTRICT_CODE = "440106"
HALL_CODE = "440106-ZWFW"  # the district 政务服务中心
PUBLISHED_AT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COMPLAINT_PHONE = "12345"

# Where an item's applications are taken in the district hall, by category (see data/halls.json).
CATEGORY_WINDOWS = {"construction": "1、2", "business": "3、4", "citizen": "5、6"}


@cache
def _read(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _item_files() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((DATA_DIR / "items").glob("*.json"))]


def item_code(department_key: str, no: int) -> str:
    """The stable code of a demo item, e.g. ``item_code("SCJG", 1) == "440106-SCJG-001"``."""
    return f"{DISTRICT_CODE}-{department_key}-{no:03d}"


def demo_logins() -> list[tuple[str, str]]:
    """(role label, username) of every demo login, in the order the demo command prints them."""
    people = _read("people.json")
    staff = [(p["label"], p["username"]) for p in people["staff"]]
    applicants = [(p["label"], p["username"]) for p in people["applicants"] if p.get("username")]
    return staff + applicants


_MISSING = object()


class _Upsert:
    """Create-or-correct by natural key, with full_clean on every write and a tally of what happened.

    ``existing`` passes a row the caller already fetched (None: known to be absent), saving a lookup;
    ``clean`` passes keyword arguments to ``full_clean`` (see ``_load_items`` for why they are safe);
    ``save=False`` leaves a new row unsaved for a bulk insert by the caller.
    """

    def __init__(self) -> None:
        self.tally: Counter[str] = Counter()

    def __call__(
        self,
        model: type[models.Model],
        lookup: dict,
        values: dict,
        *,
        on_create=None,
        existing: Any = _MISSING,
        clean: dict | None = None,
        save: bool = True,
    ):
        obj = model._default_manager.filter(**lookup).first() if existing is _MISSING else existing
        if obj is None:
            obj = model(**lookup, **values)
            if on_create:
                on_create(obj)
            obj.full_clean(**(clean or {}))
            if save:
                obj.save()
            self.tally["created"] += 1
            return obj, True
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        if changed:
            for k in changed:
                setattr(obj, k, values[k])
            obj.full_clean(**(clean or {}))
            obj.save()
            self.tally["updated"] += 1
        return obj, False


def load_demo(*, verbosity: int = 1) -> dict:
    """Load (or bring up to date) the demo district; returns row counts plus what this run created/updated.

    ``verbosity`` ≥ 2 adds the number of published items per department to the returned counts.
    """
    started = time.perf_counter()
    upsert = _Upsert()
    with transaction.atomic():
        regions = _load_regions(upsert)
        departments = _load_departments(upsert, regions)
        halls, windows = _load_halls(upsert, regions, departments)
        _load_staff(upsert, departments, halls, windows)
        _load_applicants(upsert)
        _load_items(upsert, regions, departments, halls)
        from .search_data import load_search_data  # synonyms and life events (the search's data)

        search = load_search_data()
    counts = {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "halls": ServiceHall.objects.count(),
        "windows": Window.objects.count(),
        "staff": User.objects.filter(kind=UserKind.STAFF).count(),
        "assignments": StaffAssignment.objects.count(),
        "applicants": Applicant.objects.count(),
        "published_items": ServiceItem.objects.published().count(),
        "materials": MaterialRequirement.objects.count(),
        "created": upsert.tally["created"] + search["created"],
        "updated": upsert.tally["updated"] + search["updated"],
        "seconds": round(time.perf_counter() - started, 2),
    }
    if verbosity >= 2:  # the demo command prints each entry; at 2 and above also items per department
        for name, n in (
            ServiceItem.objects.published()
            .values_list("department__short_name")
            .annotate(n=models.Count("id"))
            .order_by("department__sort_order")
        ):
            counts[f"items · {name}"] = n
    return counts


# --- organisation -----------------------------------------------------------------------------------------


def _load_regions(upsert: _Upsert) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for r in _read("regions.json")["regions"]:  # parents come first in the file
        parent = regions[r["parent"]] if r["parent"] else None
        values = {"name": r["name"], "level": r["level"], "parent_id": parent.pk if parent else None}
        regions[r["code"]], _ = upsert(Region, {"code": r["code"]}, values)
    return regions


def _load_departments(upsert: _Upsert, regions: dict[str, Region]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for order, d in enumerate(_read("departments.json")["departments"], start=1):
        values = {
            "name": d["name"],
            "short_name": d["short_name"],
            "region_id": regions[DISTRICT_CODE].pk,
            "phone": d["phone"],
            "address": d["address"],
            "sort_order": order * 10,
        }
        departments[d["key"]], _ = upsert(Department, {"credit_code": d["credit_code"]}, values)
    return departments


def _load_halls(upsert: _Upsert, regions, departments):
    halls: dict[str, ServiceHall] = {}
    windows: dict[tuple[str, int], Window] = {}
    for h in _read("halls.json")["halls"]:
        values = {
            "name": h["name"],
            "level": h["level"],
            "region_id": regions[h["region"]].pk,
            "parent_id": halls[h["parent"]].pk if h["parent"] else None,
            "address": h["address"],
            "phone": h["phone"],
            "opening_hours": h["opening_hours"],
        }
        hall, _ = upsert(ServiceHall, {"code": h["code"]}, values)
        halls[h["code"]] = hall
        for w in h["windows"]:
            dept = departments[w["department"]].pk if w.get("department") else None
            values = {"name": w["name"], "kind": w["kind"], "department_id": dept}
            values["categories"] = w["categories"]
            windows[(h["code"], w["number"])], _ = upsert(
                Window, {"hall_id": hall.pk, "number": w["number"]}, values
            )
    return halls, windows


# --- people -----------------------------------------------------------------------------------------------


class _Password:
    """Hash the demo password once per load (PBKDF2 takes ~0.3 s) and only if a login is created."""

    def __init__(self) -> None:
        self._hash: str | None = None

    def set_on(self, user: User) -> None:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        user.password = self._hash


def _load_staff(upsert: _Upsert, departments, halls, windows) -> None:
    password = _Password()
    for p in _read("people.json")["staff"]:
        roles = {a["role"] for a in p["assignments"]}
        is_admin = StaffRole.ADMINISTRATOR in roles
        values = {
            "display_name": p["name"],
            "kind": UserKind.STAFF,
            "mobile": p.get("mobile", ""),
            "is_staff": is_admin,
            "is_superuser": is_admin,
        }
        user, _ = upsert(User, {"username": p["username"]}, values, on_create=password.set_on)
        for a in p["assignments"]:
            dept = departments[a["department"]].pk if a.get("department") else None
            hall = halls[a["hall"]].pk if a.get("hall") else None
            window = windows[(a["hall"], a["window"])].pk if a.get("window") else None
            lookup = {"user_id": user.pk, "role": a["role"], "department_id": dept, "hall_id": hall}
            upsert(StaffAssignment, lookup, {"window_id": window})


def _load_applicants(upsert: _Upsert) -> None:
    password = _Password()
    for p in _read("people.json")["applicants"]:
        user = None
        if p.get("username"):
            values = {"display_name": p["name"], "kind": UserKind.APPLICANT, "mobile": p["mobile"]}
            user, _ = upsert(User, {"username": p["username"]}, values, on_create=password.set_on)
        key = "id_number" if p["kind"] == ApplicantKind.NATURAL else "credit_code"
        values = {
            key: p[key],
            "name": p["name"],
            "user_id": user.pk if user else None,
            "mobile": p["mobile"],
            "address": p["address"],
            "legal_representative": p.get("legal_representative", ""),
            "contact_name": p.get("contact_name", ""),
            "contact_id_number": p.get("contact_id_number", ""),
        }
        existing = _demo_applicant(p, key, user)
        upsert(Applicant, {"kind": p["kind"]}, values, existing=existing)


def _demo_applicant(p: dict, key: str, user: User | None) -> Applicant | None:
    """The row a demo person already has: by number, else by login or (walk-in) name and mobile — so a
    database loaded before the demo's ID numbers were corrected (issue 12) gets them corrected in place."""
    found = Applicant.objects.filter(kind=p["kind"], **{key: p[key]}).first()
    if found is None and user is not None:
        found = Applicant.objects.filter(user=user).first()
    if found is None and user is None:
        found = Applicant.objects.filter(
            kind=p["kind"], name=p["name"], mobile=p["mobile"], user=None
        ).first()
    return found


# --- catalogue --------------------------------------------------------------------------------------------


def _limit(value: int | list) -> tuple[int, str]:
    """``5`` means 5 working days; ``[30, "natural"]`` spells the unit out."""
    if isinstance(value, list):
        return int(value[0]), LimitUnit(value[1]).value
    return int(value), LimitUnit.WORKING_DAYS.value


def _material(spec: str | dict, library: dict[str, dict]) -> dict:
    if isinstance(spec, str):
        spec = {"ref": spec}
    base = dict(library[spec["ref"]]) if "ref" in spec else {}
    base.update({k: v for k, v in spec.items() if k != "ref"})
    return {
        "name": base["name"],
        "form": base.get("form", "both"),
        "original_copies": base.get("original_copies", 0),
        "copy_copies": base.get("copy_copies", 1),
        "required": base.get("required", True),
        "condition": base.get("condition", ""),
        "source": base.get("source", "applicant"),
        "source_note": base.get("source_note", ""),
        "notes": base.get("notes", ""),
    }


def _item_values(spec: dict, defaults: dict, department: Department, counter: int | None, hall) -> dict:
    s = {**defaults, **spec}
    statutory, statutory_unit = _limit(s["statutory"])
    promised, promised_unit = _limit(s["promised"])
    if "place" in s:
        place = s["place"]
    elif counter:
        place = f"{hall.name} {counter} 号窗口（{department.short_name}专窗）"
    else:
        label = ItemCategory(s["category"]).label
        place = f"{hall.name} {CATEGORY_WINDOWS[s['category']]} 号窗口（{label}综合受理）"
    fee = s.get("fee")
    return {
        "name": s["name"],
        "item_type": s["type"],
        "department_id": department.pk,
        "region_id": department.region_id,
        "category": s["category"],
        "applicant_kinds": s["kinds"],
        "life_events": s.get("events", []),
        "summary": s.get("summary", ""),
        "legal_basis": s["basis"],
        "conditions": s["conditions"],
        "statutory_limit": statutory,
        "statutory_limit_unit": statutory_unit,
        "promised_limit": promised,
        "promised_limit_unit": promised_unit,
        "case_kind": CaseKind.IMMEDIATE.value if s.get("immediate") else CaseKind.PROMISED.value,
        "visits_required": s.get("visits", 1),
        "online_depth": s.get("depth", OnlineDepth.ACCEPT.value),
        "charges_fee": bool(fee),
        "fee_amount": Decimal(fee["amount"]) if fee else Decimal("0.00"),
        "fee_description": fee["description"] if fee else "",
        "fee_basis": fee["basis"] if fee else "",
        "place": place,
        "hours": s.get("hours", hall.opening_hours),
        "phone": department.phone,
        "complaint_phone": COMPLAINT_PHONE,
        "result_name": s.get("result", ""),
        "keywords": s.get("keywords", ""),
    }


def _load_items(upsert: _Upsert, regions, departments, halls) -> None:
    """Items and their materials, with the existing rows fetched up front (3 queries, not 3 per row).

    ``full_clean`` runs on every item and material, but skips what this function guarantees itself and
    would otherwise cost a query per row: that the department and region rows exist (we just loaded
    them), that (code, version), one published row per code and (item, position) are unique (we looked
    them up / number them), and the two check constraints, which ``ServiceItem.clean`` and the field
    validators already enforce (promised ≤ statutory, at most 3 visits). The database still checks all
    of them on insert. This made the first load 4× faster (Django validates a CheckConstraint with one
    query per row and constraint).
    """
    library = _read("materials.json")["materials"]
    counters = {d["key"]: d["counter"] for d in _read("departments.json")["departments"]}
    hall = halls[HALL_CODE]
    specs: dict[str, tuple[dict, dict, str]] = {}
    for f in _item_files():
        for spec in f["items"]:
            code = item_code(f["department"], spec["no"])
            if code in specs:
                raise ValueError(f"演示数据中事项编码重复：{code}")
            specs[code] = (spec, f.get("defaults", {}), f["department"])
    # Edited through the catalogue since (a later version exists): not ours to overwrite.
    later = set(ServiceItem.objects.filter(code__in=specs, version__gt=1).values_list("code", flat=True))
    existing = {i.code: i for i in ServiceItem.objects.filter(code__in=specs, version=1)}
    materials_of: dict[int, dict[int, MaterialRequirement]] = {}
    for m in MaterialRequirement.objects.filter(item__in=list(existing.values())):
        materials_of.setdefault(m.item_id, {})[m.position] = m
    item_clean = {
        "exclude": ["department", "region"],
        "validate_unique": False,
        "validate_constraints": False,
    }
    material_clean = {"exclude": ["item"], "validate_unique": False, "validate_constraints": False}
    new_materials: list[MaterialRequirement] = []
    new_events: list[ItemEvent] = []
    for code, (spec, defaults, key) in specs.items():
        if code in later:
            continue
        department = departments[key]
        values = _item_values(spec, defaults, department, counters.get(key), hall)
        values.update(status=ItemStatus.PUBLISHED.value, published_at=PUBLISHED_AT)
        item, created = upsert(
            ServiceItem,
            {"code": code, "version": 1},
            values,
            existing=existing.get(code),
            clean=item_clean,
        )
        if created:
            new_events.append(
                ItemEvent(
                    item=item, code=code, version=1, kind=ItemEventKind.IMPORTED, detail={"source": "demo"}
                )
            )
        stored = materials_of.get(item.pk, {})
        wanted = [_material(m, library) for m in spec["materials"]]
        for position, m in enumerate(wanted, start=1):
            material, made = upsert(
                MaterialRequirement,
                {"item_id": item.pk, "position": position},
                m,
                existing=stored.get(position),
                clean=material_clean,
                save=False,
            )
            if made:
                new_materials.append(material)
        extra = [row.pk for position, row in stored.items() if position > len(wanted)]
        if extra:
            upsert.tally["updated"] += 1
            MaterialRequirement.objects.filter(pk__in=extra).delete()
    MaterialRequirement.objects.bulk_create(new_materials)
    ItemEvent.objects.bulk_create(new_events)
