"""Supervision pages (staff only). Views parse input, call ONE service or selector, render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.common.errors import NotAllowed, NotFound, ServiceError
from tongban.organisations.permissions import is_staff_member

from . import selectors, services
from .cardrules import rule_summary
from .choices import CardColor, CardStatus, DirectiveStatus
from .forms import (
    CardAppealForm,
    CardDecideForm,
    CardIssueForm,
    DeadlineFilterForm,
    DirectiveCloseForm,
    DirectiveIssueForm,
    DirectiveReissueForm,
    DirectiveRespondForm,
    RemindForm,
)
from .permissions import can_supervise

PAGE_SIZE = 25


def staff_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied(_("仅限工作人员访问。"))
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _query(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _form_error(form, exc: ServiceError, *, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error on the field it names (`aliases`: the service's name → the form's)."""
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


@staff_only
@require_GET
def deadline_list(request: HttpRequest) -> HttpResponse:
    form = DeadlineFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.deadline_list(
        user=request.user,
        level=f.get("level") or None,
        department_id=f["department"].pk if f.get("department") else None,
        hall_id=f["hall"].pk if f.get("hall") else None,
        subject_type=f.get("subject_type") or None,
        ordering=f.get("ordering") or "urgency",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/deadline_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "counts": selectors.level_counts(user=request.user),
            "can_supervise": can_supervise(request.user),
        },
    )


@staff_only
@require_GET
def deadline_detail(request: HttpRequest, deadline_id: int) -> HttpResponse:
    d = selectors.deadline_get(user=request.user, deadline_id=deadline_id)
    return render(
        request,
        "supervision/deadline_detail.html",
        {
            "deadline": d,
            "events": selectors.deadline_events(user=request.user, deadline_id=deadline_id),
            "remind_form": RemindForm(),
            "can_supervise": can_supervise(request.user),
        },
    )


@staff_only
@require_POST
def deadline_remind(request: HttpRequest, deadline_id: int) -> HttpResponse:
    form = RemindForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        services.reminder_send(actor=request.user, deadline_id=deadline_id, note=note)
    except (NotFound, NotAllowed):
        raise
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, _("已发出催办。"))
    return redirect("supervision:deadline", deadline_id=deadline_id)


@staff_only
@require_GET
def directive_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    case_number = (request.GET.get("case_number") or "").strip()
    qs = selectors.directive_list(user=request.user, status=status, case_number=case_number or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/directive_list.html",
        {
            "page": page,
            "status": status,
            "case_number": case_number,
            "statuses": DirectiveStatus.choices,
            "query": _query(request),
            "can_supervise": can_supervise(request.user),
        },
    )


@staff_only
@require_http_methods(["GET", "POST"])
def directive_new(request: HttpRequest) -> HttpResponse:
    if not can_supervise(request.user):
        raise PermissionDenied(_("只有监察人员或管理员可以发出督办单。"))
    initial = {
        k: v for k, v in request.GET.items() if k in ("subject_type", "case_number", "step", "department")
    }
    form = DirectiveIssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject_type = data["subject_type"]
        try:
            directive = services.directive_issue(
                actor=request.user,
                subject_type=subject_type,
                subject_id=data.get("step") if subject_type == "step" else None,
                case_number=data.get("case_number", ""),
                department=data.get("department"),
                title=data["title"],
                required_action=data["required_action"],
                response_days=data["response_days"],
            )
        except ServiceError as exc:
            _form_error(form, exc, aliases={"subject_id": "step"})
        else:
            flash.success(request, _("督办单 %(number)s 已发出。") % {"number": directive.number})
            return redirect("supervision:directive", directive_id=directive.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "supervision/directive_new.html", {"form": form, "can_supervise": True}, status=status
    )


@staff_only
@require_GET
def directive_detail(request: HttpRequest, directive_id: int) -> HttpResponse:
    return _directive_page(request, directive_id)


def _directive_page(request, directive_id: int, **forms) -> HttpResponse:
    directive = selectors.directive_get(user=request.user, directive_id=directive_id)
    return render(
        request,
        "supervision/directive_detail.html",
        {
            "directive": directive,
            "events": selectors.directive_events(user=request.user, directive_id=directive_id),
            "respond_form": forms.get("respond_form") or DirectiveRespondForm(),
            "close_form": forms.get("close_form") or DirectiveCloseForm(),
            "reissue_form": forms.get("reissue_form") or DirectiveReissueForm(),
            "can_supervise": can_supervise(request.user),
        },
        status=400 if forms else 200,
    )


def _directive_action(request, directive_id: int, form_class, form_name: str, call) -> HttpResponse:
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except (NotFound, NotAllowed):
            raise
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            return redirect("supervision:directive", directive_id=result.pk)
    return _directive_page(request, directive_id, **{form_name: form})


@staff_only
@require_POST
def directive_respond(request: HttpRequest, directive_id: int) -> HttpResponse:
    return _directive_action(
        request,
        directive_id,
        DirectiveRespondForm,
        "respond_form",
        lambda d: services.directive_respond(
            actor=request.user, directive_id=directive_id, response=d["response"]
        ),
    )


@staff_only
@require_POST
def directive_close(request: HttpRequest, directive_id: int) -> HttpResponse:
    return _directive_action(
        request,
        directive_id,
        DirectiveCloseForm,
        "close_form",
        lambda d: services.directive_close(
            actor=request.user, directive_id=directive_id, note=d.get("note", "")
        ),
    )


@staff_only
@require_POST
def directive_reissue(request: HttpRequest, directive_id: int) -> HttpResponse:
    return _directive_action(
        request,
        directive_id,
        DirectiveReissueForm,
        "reissue_form",
        lambda d: services.directive_reissue(
            actor=request.user,
            directive_id=directive_id,
            note=d["note"],
            response_days=d.get("response_days"),
        ),
    )


@staff_only
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    color, status = request.GET.get("color") or None, request.GET.get("status") or None
    rule = request.GET.get("rule") or ""
    rule_id = int(rule) if rule.isdigit() else None
    qs = selectors.card_list(user=request.user, color=color, status=status, rule_id=rule_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/card_list.html",
        {
            "page": page,
            "color": color,
            "status": status,
            "colors": CardColor.choices,
            "statuses": CardStatus.choices,
            "rule_id": rule_id,
            "rules": selectors.card_rule_names(),
            "query": _query(request),
            "can_supervise": can_supervise(request.user),
        },
    )


@staff_only
@require_http_methods(["GET", "POST"])
def card_new(request: HttpRequest) -> HttpResponse:
    if not can_supervise(request.user):
        raise PermissionDenied(_("只有监察人员或管理员可以出示黄牌/红牌。"))
    initial = {k: v for k, v in request.GET.items() if k in ("department", "directive", "deadline", "color")}
    form = CardIssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_issue(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            flash.success(request, _("已出示%(color)s。") % {"color": card.get_color_display()})
            return redirect("supervision:card", card_id=card.pk)
    evidence = form["deadline"].value()
    watch = None
    if evidence and str(evidence).isdigit():
        watch = selectors.deadline_find(user=request.user, deadline_id=int(evidence))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "supervision/card_new.html",
        {"form": form, "watch": watch, "can_supervise": True},
        status=status,
    )


def _card_page(request, card_id: int, **forms) -> HttpResponse:
    card = selectors.card_get(user=request.user, card_id=card_id)
    return render(
        request,
        "supervision/card_detail.html",
        {
            "card": card,
            "rule_summary": rule_summary(card.rule) if card.rule_id else "",
            "events": selectors.card_events(user=request.user, card_id=card_id),
            "appeal_form": forms.get("appeal_form") or CardAppealForm(),
            "decide_form": forms.get("decide_form") or CardDecideForm(),
            "can_supervise": can_supervise(request.user),
        },
        status=400 if forms else 200,
    )


@staff_only
@require_GET
def card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    return _card_page(request, card_id)


@staff_only
@require_POST
def card_appeal(request: HttpRequest, card_id: int) -> HttpResponse:
    form = CardAppealForm(request.POST)
    if form.is_valid():
        try:
            services.card_appeal(actor=request.user, card_id=card_id, reason=form.cleaned_data["reason"])
        except (NotFound, NotAllowed):
            raise
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            return redirect("supervision:card", card_id=card_id)
    return _card_page(request, card_id, appeal_form=form)


@staff_only
@require_POST
def card_decide(request: HttpRequest, card_id: int) -> HttpResponse:
    form = CardDecideForm(request.POST)
    if form.is_valid():
        try:
            services.card_appeal_decide(actor=request.user, card_id=card_id, **form.cleaned_data)
        except (NotFound, NotAllowed):
            raise
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            return redirect("supervision:card", card_id=card_id)
    return _card_page(request, card_id, decide_form=form)


@staff_only
@require_GET
def card_rule_list(request: HttpRequest) -> HttpResponse:
    rules = selectors.card_rule_list(user=request.user)
    return render(
        request,
        "supervision/card_rule_list.html",
        {
            "rules": [(r, rule_summary(r)) for r in rules],
            "can_edit": request.user.is_superuser,
            "can_supervise": True,
        },
    )


@staff_only
@require_GET
def card_rule_detail(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.card_rule_get(user=request.user, rule_id=rule_id)
    return render(
        request,
        "supervision/card_rule_detail.html",
        {
            "rule": rule,
            "summary": rule_summary(rule),
            "cards": selectors.card_list(user=request.user, rule_id=rule.pk)[:20],
            "can_edit": request.user.is_superuser,
            "can_supervise": True,
        },
    )
