"""Public service guide (办事指南): home, browse, search, item page. Anonymous access everywhere.

Every read goes through the catalogue's selectors, which start from
`ServiceItem.objects.visible_to(user).published()`: the guide shows published items only, whoever
looks. Filters and counts on the JSON list columns (applicant kinds, life
events) run in SQL through `selectors.json_list_has` (a quoted `icontains` on the JSON text, portable
between SQLite and PostgreSQL): no view decodes the JSON of every item.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongban.organisations import selectors as organisation_selectors
from tongban.organisations.models import Department

from .audience import item_audience
from .capabilities import CapabilityCode, has_capability, item_capabilities, with_capabilities
from .choices import ApplicantKind, CaseKind, ItemCategory, ItemStatus, LifeEvent
from .hooks import process_flow
from .life_events import life_event_choices, life_event_find, life_event_items, life_event_tiles
from .models import LifeEventIntent, ServiceItem
from .search import MAX_QUERY_CHARS, load_items, search, search_suggest
from .selectors import (
    department_tiles,
    guide_counts,
    guide_item,
    item_materials,
    items_latest,
    items_searchable,
    published_item_ids,
)

PAGE_SIZE = 20
LATEST_COUNT = 8


@dataclass(frozen=True)
class Tile:
    value: str
    label: str
    count: int


@require_GET
def guide_home(request: HttpRequest) -> HttpResponse:
    """Search box and the four ways to browse, each with item counts."""
    counts = guide_counts(user=request.user)
    departments = department_tiles(user=request.user)
    # The latest items are listed without their capabilities (shown on browse, search and the item
    # page): the home page stays at three queries.
    latest = items_latest(user=request.user, limit=LATEST_COUNT)
    context = {
        "total": counts.total,
        "applicant_tiles": [Tile(k.value, k.label, counts.applicant_kinds[k.value]) for k in ApplicantKind],
        "category_tiles": [Tile(c.value, c.label, counts.categories[c.value]) for c in ItemCategory],
        "event_tiles": life_event_tiles(counts=counts, user=request.user),
        "departments": departments,
        "latest": latest,
    }
    return render(request, "catalogue/guide_home.html", {"body": _home_body(context)})


# The home page's body (everything below the site header) rendered once per distinct input: the key is
# the language, the script prefix and every value the body is rendered from (counts, the department and
# latest-item rows with all their fields), so a cached body can never disagree with the database —
# there is nothing to invalidate. Rendering its ~40 tiles is most of the page's cost; the three queries
# that produce the inputs still run on every request.
HOME_BODY_TEMPLATE = "catalogue/_guide_home_body.html"
_HOME_BODIES: OrderedDict[tuple, str] = OrderedDict()
_HOME_BODIES_MAX = 16
_HOME_BODIES_LOCK = threading.Lock()


def _row_values(obj: Model) -> tuple:
    """All loaded field values and annotations of a row, and those of its select_related rows."""
    values = tuple(sorted((k, repr(v)) for k, v in vars(obj).items() if k != "_state"))
    related = tuple(sorted((name, _row_values(rel)) for name, rel in obj._state.fields_cache.items() if rel))
    return values, related


def _home_body(context: dict) -> SafeString:
    if settings.DEBUG:  # template edits show at once while developing
        return mark_safe(render_to_string(HOME_BODY_TEMPLATE, context))
    inputs = repr(
        (
            context["total"],
            context["applicant_tiles"],
            context["category_tiles"],
            context["event_tiles"],
            [_row_values(d) for d in context["departments"]],
            [_row_values(i) for i in context["latest"]],
        )
    )
    key = (get_language(), get_script_prefix(), hashlib.sha256(inputs.encode()).hexdigest())
    with _HOME_BODIES_LOCK:
        body = _HOME_BODIES.get(key)
        if body is not None:
            _HOME_BODIES.move_to_end(key)
            return mark_safe(body)
    body = render_to_string(HOME_BODY_TEMPLATE, context)
    with _HOME_BODIES_LOCK:
        _HOME_BODIES[key] = body
        while len(_HOME_BODIES) > _HOME_BODIES_MAX:
            _HOME_BODIES.popitem(last=False)
    # Safe: rendered by the template engine with autoescaping.
    return mark_safe(body)


@dataclass(frozen=True)
class BrowseFilters:
    applicant: str = ""
    category: str = ""
    department: Department | None = None
    event: LifeEventIntent | None = None
    once: bool = False

    @property
    def active(self) -> bool:
        return bool(self.applicant or self.category or self.department or self.event or self.once)


def _parse_filters(request: HttpRequest) -> BrowseFilters:
    """Unknown filter values are dropped rather than failing: these links get shared and go stale."""
    get = request.GET
    applicant = get.get("applicant", "")
    category = get.get("category", "")
    event = life_event_find(get.get("event", "")) if get.get("event") else None
    department = None
    department_id = get.get("department", "")
    if department_id.isdigit():
        department = organisation_selectors.department_visible(
            user=request.user, department_id=int(department_id)
        )
    return BrowseFilters(
        applicant=applicant if applicant in ApplicantKind.values else "",
        category=category if category in ItemCategory.values else "",
        department=department,
        event=event,
        once=get.get("once") == "1",
    )


def _paginate(request: HttpRequest, object_list) -> Page:
    return Paginator(object_list, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def guide_browse(request: HttpRequest) -> HttpResponse:
    """Items by applicant kind, category, department and life event; filters combine (AND)."""
    filters = _parse_filters(request)
    ids = published_item_ids(
        user=request.user,
        category=filters.category or None,
        department_id=filters.department.pk if filters.department else None,
        applicant_kind=filters.applicant or None,
        life_event=filters.event,
        once=filters.once,
    )
    page = _paginate(request, ids)
    items = with_capabilities(load_items(list(page.object_list)))
    context = {
        "filters": filters,
        "page": page,
        "items": items,
        "applicant_choices": ApplicantKind.choices,
        "category_choices": ItemCategory.choices,
        "event_choices": life_event_choices(),
        "departments": organisation_selectors.department_list(user=request.user),
    }
    return render(request, "catalogue/browse.html", context)


@require_GET
def guide_search(request: HttpRequest) -> HttpResponse:
    """Ranked results, best first; an explicit message with tips when nothing matches. An htmx request
    (the live results while typing) gets the results block only."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    result = search(query, items_searchable(user=request.user)) if query else None
    ids = result.ids if result else []
    page = _paginate(request, ids)
    context = {
        "query": query,
        "page": page,
        "items": with_capabilities(load_items(list(page.object_list))),
        "count": len(ids),
        "result": result,
    }
    if request.headers.get("HX-Request"):
        return render(request, "catalogue/_search_results.html", context)
    return render(request, "catalogue/search.html", context)


@require_GET
def guide_suggest(request: HttpRequest) -> HttpResponse:
    """Autocomplete fragment for htmx: a list of links, reachable with Tab."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    suggestions = search_suggest(query, queryset=items_searchable(user=request.user)) if query else []
    return render(request, "catalogue/_suggest.html", {"query": query, "suggestions": suggestions})


@require_GET
def life_event_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One life event (人生事件): the items it takes in the order they are usually done, then related ones."""
    event = life_event_find(code)
    if event is None:
        raise Http404(_("人生事件不存在或已停用。"))
    listed, related = life_event_items(event=event, user=request.user)
    context = {"event": event, "listed": listed, "related": related}
    return render(request, "catalogue/life_event.html", context)


@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The guide page of one item: every standard element, materials, flow chart."""
    item = guide_item(code=code, user=request.user)
    if item is None or item.status != ItemStatus.PUBLISHED:  # belt and braces: the queryset says so
        raise Http404(_("事项 %(code)s 不存在或未发布。") % {"code": code})
    item.capabilities = item_capabilities(item)
    audience = item_audience(item, applicant=_own_applicant(request))
    context = {
        "item": item,
        "materials": item_materials(item),
        "flow": item_flow(item),
        "audience": audience,
        "applicant_labels": audience.labels,
        "event_labels": [LifeEvent(e).label for e in item.life_events if e in LifeEvent.values],
        "capabilities": item.capabilities,
        "apply_capability": next(
            (c for c in item.capabilities if c.code == CapabilityCode.APPLY_ONLINE), None
        ),
    }
    return render(request, "catalogue/item_detail.html", context)


def _own_applicant(request: HttpRequest):
    """The logged-in person's applicant record (None for visitors and staff without one)."""
    user = request.user
    if not user.is_authenticated:
        return None
    from tongban.accounts.selectors import applicant_of

    return applicant_of(user=user)


def _review_stages(item: ServiceItem, department: str) -> list[dict]:
    """The back-office stages of the item's process definition (cases app), serial or parallel (并联)."""
    stages = []
    for stage in process_flow(item):
        steps = stage["steps"]
        if stage["kind"] == "parallel":
            names = [
                f"{s['department']}（{_('牵头')}）"
                if s["department_id"] == stage.get("lead_department_id")
                else s["department"]
                for s in steps
            ]
            actor = _("并联审批：") + "、".join(names)
            detail = "；".join(
                f"{s['department']}{s['name']} {s['limit_days']}{_('个工作日')}" for s in steps
            )
        else:
            actor = steps[0]["department"] if steps else department
            detail = "；".join(f"{s['name']} {s['limit_days']}{_('个工作日')}" for s in steps)
        stages.append(
            {"key": f"stage-{stage['position']}", "title": stage["name"], "actor": actor, "detail": detail}
        )
    return stages or [
        {
            "key": "review",
            "title": _("审查"),
            "actor": department,
            "detail": _("审查申请材料，必要时进行现场核查"),
        }
    ]


def item_flow(item: ServiceItem) -> list[dict]:
    """The stages an application of this item goes through, for the guide's flow chart.

    Each stage: {"key", "title", "actor", "detail"}. Derived from the item's standard elements (case
    kind, limits, department), its process definition (cases) and what the platform really offers for
    it (capabilities: online application, e-licences), never from the declared online depth.
    """
    online = has_capability(item, CapabilityCode.APPLY_ONLINE)
    apply_detail = (
        _("网上提交或到政务服务中心窗口提交申请材料") if online else _("到政务服务中心窗口提交申请材料")
    )
    e_licence = has_capability(item, CapabilityCode.E_LICENCE)
    result = item.result_name or _("办理结果")
    if e_licence:
        deliver_detail = _("%(result)s：窗口领取、邮寄送达或电子证照") % {"result": result}
    else:
        deliver_detail = _("%(result)s：窗口领取或邮寄送达") % {"result": result}
    department = item.department.name
    applicant = {"key": "apply", "title": _("申请"), "actor": _("申请人"), "detail": apply_detail}
    if item.case_kind == CaseKind.IMMEDIATE:
        return [
            applicant,
            {
                "key": "accept_conclude",
                "title": _("受理并当场办结"),
                "actor": _("综合受理窗口"),
                "detail": _("材料齐全、符合法定形式的，当场受理并办结"),
            },
            {"key": "deliver", "title": _("出件"), "actor": _("出件窗口"), "detail": deliver_detail},
        ]
    unit = _(item.get_promised_limit_unit_display())
    limit = _("%(n)s个%(unit)s") % {"n": item.promised_limit, "unit": unit}
    return [
        applicant,
        {
            "key": "accept",
            "title": _("受理"),
            "actor": _("综合受理窗口"),
            "detail": _("材料齐全、符合法定形式的予以受理；需要补正的，一次性告知全部内容"),
        },
        *_review_stages(item, department),
        {
            "key": "decide",
            "title": _("决定"),
            "actor": department,
            "detail": _("自受理之日起%(limit)s内作出决定") % {"limit": limit},
        },
        {"key": "deliver", "title": _("送达/出件"), "actor": _("出件窗口"), "detail": deliver_detail},
    ]
