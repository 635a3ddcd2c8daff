"""Every route refuses whom it must (issue 13 point 8).

The walk takes every URL pattern from Django's resolver and every operation from the OpenAPI schema,
fills path parameters with real objects (a case of the applicant's own, its step, materials and
documents, a ticket, a booking, a watch, a directive, a card, a rating follow-up, …) and asks:

- anonymous: a page that is not public redirects to the login (the admin's to its own login); an API
  operation that is not public answers 401/403;
- an applicant (logged in, with their own case in every path): a staff page or staff operation answers
  403/404 — never 200, a redirect into it, or a validation error that shows it ran.

Public and applicant routes are explicit lists below, each with why. A new route is a staff route
until it is listed here, so a page added without a permission check fails this test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tongban.cases.choices import CaseStatus
from tongban.cases.models import CaseDocument, CaseMaterial, Step
from tongban.catalogue.models_search import LifeEventIntent, SearchSynonym
from tongban.notifications.models import Message
from tongban.organisations.choices import WindowKind
from tongban.supervision.models import CardRule
from tongban.testing.factories import (
    AppointmentFactory,
    TicketFactory,
    WindowFactory,
    card_of,
    case_at,
    deadline_of,
    directive_of,
    followup_at,
    ratable_case,
)

pytestmark = pytest.mark.django_db

# Pages anyone may open (url names; "" is the home page).
PUBLIC_PAGES = {
    "": "the front door: sends staff to the 工作台 and everyone else to the guide",
    "healthz": "the load balancer's probe",
    "favicon": "the site's icon",
    "toggle-elder": "长者模式 is a display preference of any visitor",
    "set_language": "the language switch is a display preference of any visitor",
    "accounts:login": "the login itself",
    "admin:login": "the admin's own login",
    "admin:logout": "logging out asks nothing of a visitor",
    "accounts:logout": "logging out asks nothing of a visitor",
    "accounts:register": "a citizen signs up here",
    "catalogue:guide-home": "办事指南: the public guide",
    "catalogue:browse": "办事指南",
    "catalogue:life-event": "办事指南 by life event",
    "catalogue:guide-search": "办事指南 search",
    "catalogue:guide-suggest": "办事指南 search suggestions",
    "catalogue:item-detail": "办事指南: an item's guide page",
    "cases:track": "办件查询 by case number and query code, which is the credential",
    "workdays:calendar": "the working-day calendar is public information",
    "hall:board": "the hall's calling board on a public screen",
    "hall:board-partial": "the board's refresh",
    "ratings:rate": "好差评 by a one-time link: the token is the credential",
    "public_media": "the catalogue's blank forms and samples",
    "schema": "the API's description (each operation checks access itself)",
    "api-docs": "the API's documentation",
    "api-redoc": "the API's documentation",
}
PUBLIC_PAGE_PREFIXES = {
    "kiosk:": "自助终端: a public terminal in the hall, anonymous by design (a session per visitor)",
}

# Pages for any logged-in person, applicants included (the view scopes what they see).
APPLICANT_PAGES = {
    "accounts:profile",
    "notifications:inbox",
    "notifications:read",
    "notifications:read-all",
    "hall:book",
    "hall:my-appointments",
    "hall:appointment-cancel",
    "cases:apply",
    "cases:draft",
    "cases:draft-discard",
    "cases:my-cases",
    "cases:material-upload",
    "cases:material-download",
    "cases:case-detail",
    "cases:receipt",
    "cases:resubmit",
    "cases:withdraw",
    "cases:document-download",
    "ratings:mine",
    "ratings:rate-mine",
}

# API operations anyone may call: (method, path template).
PUBLIC_OPERATIONS = {
    ("POST", "/api/v1/auth/token/"): "obtaining a token is the login",
    ("POST", "/api/v1/auth/register/"): "a citizen signs up",
    ("GET", "/api/v1/items/"): "the public catalogue",
    ("GET", "/api/v1/items/{code}/"): "the public catalogue",
    ("GET", "/api/v1/life-events/"): "the public catalogue",
    ("GET", "/api/v1/life-events/{code}/"): "the public catalogue",
    ("GET", "/api/v1/processes/{code}/"): "an item's process chart is part of its guide",
    ("GET", "/api/v1/forms/{code}/"): "an item's application form is part of its guide",
    ("GET", "/api/v1/workdays/"): "the working-day calendar is public",
    ("GET", "/api/v1/workdays/add/"): "the working-day calendar is public",
    ("GET", "/api/v1/workdays/horizon/"): "the working-day calendar is public",
    ("GET", "/api/v1/regions/"): "administrative divisions are public",
    ("GET", "/api/v1/departments/"): "departments are named in every guide",
    ("GET", "/api/v1/halls/"): "halls and their addresses are public",
    ("GET", "/api/v1/hall/halls/{hall_code}/board/"): "the calling board is on a public screen",
    ("GET", "/api/v1/hall/halls/{hall_code}/slots/"): "free booking slots are shown before login",
    ("GET", "/api/v1/track/"): "办件查询: the query code is the credential",
    ("POST", "/api/v1/ratings/"): "好差评 by a one-time token (anonymous at a kiosk)",
}

# API operations for any logged-in person, applicants included (scoped by the view).
APPLICANT_OPERATIONS = {
    ("GET", "/api/v1/auth/me/"),
    ("GET", "/api/v1/auth/me/counts/"),
    ("GET", "/api/v1/notifications/"),
    ("POST", "/api/v1/notifications/read-all/"),
    ("POST", "/api/v1/notifications/{message_id}/read/"),
    ("GET", "/api/v1/cases/"),
    ("POST", "/api/v1/cases/drafts/"),
    ("POST", "/api/v1/cases/submit/"),
    ("GET", "/api/v1/cases/{case_id}/"),
    ("PUT", "/api/v1/cases/{case_id}/draft/"),
    ("GET", "/api/v1/cases/{case_id}/materials/"),
    ("POST", "/api/v1/cases/{case_id}/materials/{material_id}/"),
    ("POST", "/api/v1/cases/{case_id}/resubmit/"),
    ("POST", "/api/v1/cases/{case_id}/withdraw/"),
    ("GET", "/api/v1/cases/{case_id}/events/"),
    ("GET", "/api/v1/cases/{case_id}/documents/"),
    ("GET", "/api/v1/cases/{case_id}/documents/{document_id}/download/"),
    ("GET", "/api/v1/hall/appointments/"),
    ("POST", "/api/v1/hall/appointments/"),
    ("POST", "/api/v1/hall/appointments/{appointment_id}/cancel/"),
    ("GET", "/api/v1/ratings/mine/"),
}

REFUSED = {403, 404}
WRONG_METHOD = 405  # a method the route does not serve, refused before anything runs

# Staff operations that do not yet answer an applicant with 403/404. The 21 found on 2026-12-08 (lists
# answering 200, bodies validated before the permission check, one page) now refuse with 403 through the staff
# permission classes; keep it empty. A line here must still answer as written, so the list only shrinks.
KNOWN_GAPS: dict[tuple[str, str], int] = {}


@dataclass
class Route:
    name: str  # namespaced url name ("" for the home page)
    template: str  # "/work/cases/{case_id}/"


def _segment(pattern) -> str:
    """A pattern as a template: `<int:case_id>` and the admin's `(?P<object_id>.+)` become `{…}`."""
    text = str(pattern).removeprefix("^").removesuffix("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)


def _routes(resolver=None, prefix: str = "/", namespace: str = "") -> list[Route]:
    resolver = resolver or get_resolver()
    found = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            found += _routes(p, prefix + _segment(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}".strip(":") if p.name else getattr(p.callback, "__name__", "")
            found.append(Route(name=name if name != "home" else "", template=prefix + _segment(p.pattern)))
    return found


@pytest.fixture
def objects(office, media_root):
    """Real objects for every path parameter; the case and the booking are the applicant's own."""
    case = case_at(CaseStatus.IN_REVIEW, office)
    window = WindowFactory(hall=office.hall, kind=WindowKind.COMPREHENSIVE)
    service = ratable_case(case_at(CaseStatus.CLOSED, office))
    followup = followup_at()
    ticket = TicketFactory(hall=office.hall)
    values = {
        "case_id": case.pk,
        "number": case.number,
        "material_id": CaseMaterial.objects.filter(case=case).first().pk,
        "document_id": CaseDocument.objects.filter(case=case).first().pk,
        "step_id": Step.objects.filter(case=case).first().pk,
        "applicant_id": office.applicant.pk,
        "item_id": office.item.pk,
        "code": office.item.code,
        "hall_code": office.hall.code,
        "window_id": window.pk,
        "ticket_id": ticket.pk,
        "appointment_id": AppointmentFactory(applicant=office.applicant, hall=office.hall).pk,
        "message_id": Message.objects.filter(recipient=office.applicant.user).first().pk,
        "deadline_id": deadline_of(department=office.department).pk,
        "directive_id": directive_of(department=office.department).pk,
        "card_id": card_of(department=office.department).pk,
        "rule_id": CardRule.objects.first().pk,
        "service_id": service.pk,
        "token": service.token,
        "followup_id": followup.pk,
        "report_id": 1,
        "path": "forms/blank.pdf",
        "object_id": 1,
        "app_label": "cases",
        "content_type_id": 1,
        "pk": SearchSynonym.objects.create(phrase="开饭店", terms=["餐饮"]).pk,
    }
    values["id"] = values["pk"]  # the schema names the search API's `pk` parameter `id`
    slugs = {"catalogue:life-event": LifeEventIntent.objects.first().code}
    actions = {"hall:console-action": "call", "ratings:followup-action": "verify"}
    return values, slugs, actions, office


def _fill(template: str, values: dict, *, name: str = "", slugs=None, actions=None) -> str:
    def one(m: re.Match) -> str:
        key = m.group(1)
        if key == "code" and name in (slugs or {}):
            return str(slugs[name])
        if key == "action":
            return (actions or {}).get(name, "verify")
        return str(values.get(key, 1))

    return re.sub(r"\{(\w+)\}", one, template)


def _is_public_page(name: str) -> bool:
    return name in PUBLIC_PAGES or any(name.startswith(p) for p in PUBLIC_PAGE_PREFIXES)


def _pages() -> list[Route]:
    return [r for r in _routes() if not r.template.startswith("/api/v1/")]


def _login_url(template: str) -> str:
    return "/admin/login/" if template.startswith("/admin/") else "/accounts/login/"


def test_anonymous_is_sent_to_login_on_every_page_not_public(client, objects):
    values, slugs, actions, _ = objects
    wrong = []
    for route in _pages():
        if _is_public_page(route.name):
            continue
        url = _fill(route.template, values, name=route.name, slugs=slugs, actions=actions)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            location = urlsplit(response.get("Location", "")).path
            if response.status_code != 302 or location != _login_url(route.template):
                wrong.append(f"{method.upper()} {url} ({route.name}): {response.status_code} {location}")
    assert not wrong, "\n".join(wrong)


def test_applicant_is_refused_every_staff_page(client, objects):
    values, slugs, actions, office = objects
    client.force_login(office.applicant.user)
    wrong = []
    for route in _pages():
        if _is_public_page(route.name) or route.name in APPLICANT_PAGES:
            continue
        url = _fill(route.template, values, name=route.name, slugs=slugs, actions=actions)
        answers = {}
        for method in ("GET", "POST"):
            response = getattr(client, method.lower())(url)
            answers[method] = response.status_code
            admin_login = route.template.startswith("/admin/") and response.status_code == 302
            if admin_login and urlsplit(response["Location"]).path == "/admin/login/":
                answers[method] = 403  # the admin shows a non-staff user its own login
        for method, code in answers.items():
            wrong += _unexpected(method, route.template, code, url=url)
        if set(answers.values()) <= {WRONG_METHOD}:
            wrong.append(f"{url} ({route.name}): no method refused with 403/404")
    assert not wrong, "\n".join(wrong)


def _unexpected(method: str, template: str, code: int, *, url: str = "") -> list[str]:
    """What is wrong with an applicant's answer: not refused, or a known gap that changed."""
    known = KNOWN_GAPS.get((method, template))
    if known is not None:
        return [] if code == known else [f"{method} {template}: {code}, listed as a gap answering {known}"]
    if code in REFUSED or code == WRONG_METHOD:
        return []
    return [f"{method} {url or template}: {code}"]


def _operations() -> list[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = {"get", "post", "put", "patch", "delete"}
    return [(m.upper(), path) for path, item in schema["paths"].items() for m in item if m in methods]


def test_every_operation_and_every_api_route_is_walked():
    """The schema and the resolver agree, so walking the schema's operations walks every API route."""
    schema_paths = {path for _, path in _operations()}
    api_routes = {r.template.replace("{pk}", "{id}") for r in _routes() if r.template.startswith("/api/v1/")}
    assert api_routes == schema_paths
    listed = set(PUBLIC_OPERATIONS) | APPLICANT_OPERATIONS
    assert listed <= set(_operations())  # no stale entry in the lists


def _call(client: APIClient, method: str, url: str):
    return getattr(client, method.lower())(url, {}, format="json")


def test_anonymous_is_refused_every_operation_not_public(objects):
    values, *_ = objects
    client = APIClient()
    wrong = []
    for method, path in _operations():
        if (method, path) in PUBLIC_OPERATIONS:
            continue
        response = _call(client, method, _fill(path, values))
        if response.status_code not in (401, 403):
            wrong.append(f"{method} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_applicant_is_refused_every_staff_operation(objects):
    values, _, _, office = objects
    client = APIClient()
    client.force_login(office.applicant.user)
    wrong = []
    for method, path in _operations():
        if (method, path) in PUBLIC_OPERATIONS or (method, path) in APPLICANT_OPERATIONS:
            continue
        wrong += _unexpected(method, path, _call(client, method, _fill(path, values)).status_code)
    assert not wrong, "\n".join(wrong)
