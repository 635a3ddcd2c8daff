"""Submitting a rating (once per service) and the default 基本满意 after N natural days."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tongban.common.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tongban.organisations.scoping import scope_for

from .. import conf
from ..choices import RatingChannel, RatingTag, Score
from ..models import RatableService, Rating
from .followups import followup_open

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def _clean_score(score) -> int:
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise ValidationFailed(
            "评价等级应为 1 至 5 的整数（5 非常满意 … 1 非常不满意）。", field="score"
        ) from None
    if isinstance(score, bool) or value not in Score.values:
        raise ValidationFailed("评价等级应为 1 至 5 的整数（5 非常满意 … 1 非常不满意）。", field="score")
    return value


def _clean_tags(tags) -> list[str]:
    tags = list(dict.fromkeys(tags or []))
    unknown = [t for t in tags if t not in RatingTag.values]
    if unknown:
        raise ValidationFailed(f"评价维度无效：{'、'.join(map(str, unknown))}。", field="tags")
    return tags


def _lock_service(*, token: str | None, service_id: int | None, actor: AnyUser | None) -> RatableService:
    if token:
        service = RatableService.objects.select_for_update().filter(token=str(token)).first()
        if service is None:
            raise NotFound("评价链接无效或已失效。", field="token")
        return service
    if service_id is None:
        raise ValidationFailed("请通过评价链接评价，或登录后选择要评价的服务。", field="token")
    scope = scope_for(actor)
    if not scope.is_authenticated or scope.user_id is None:
        raise NotAllowed("请先登录，或通过评价链接评价。")
    service = RatableService.objects.select_for_update().filter(pk=service_id, user_id=scope.user_id).first()
    if service is None:
        raise NotFound("没有找到您可以评价的这项服务。", field="service")
    return service


def rating_submit(
    *,
    score: int,
    token: str | None = None,
    service_id: int | None = None,
    actor: AnyUser | None = None,
    tags: list[str] | tuple[str, ...] = (),
    comment: str = "",
    channel: str = RatingChannel.WEB,
) -> Rating:
    """Rate one service, once: by its one-time token (anyone holding the link, e.g. an anonymous kiosk
    user) or as the logged-in person who received it. A 差评 (1–2) opens a follow-up in the same
    transaction, so a rating never exists without its follow-up."""
    score = _clean_score(score)
    tags = _clean_tags(tags)
    comment = (comment or "").strip()
    if len(comment) > conf.comment_max_length():
        raise ValidationFailed(f"评价内容不能超过 {conf.comment_max_length()} 个字。", field="comment")
    if channel not in RatingChannel.values or channel == RatingChannel.SYSTEM:
        raise ValidationFailed("评价渠道无效。", field="channel")
    if score in Score.bad() and not (tags or comment):
        raise ValidationFailed("差评请至少选择一个评价维度或填写评价内容，以便核实整改。", field="comment")
    with transaction.atomic():
        service = _lock_service(token=token, service_id=service_id, actor=actor)
        if service.rated:
            raise Conflict("这项服务已经评价过了，每项服务只能评价一次。", code="already_rated")
        now = timezone.now()
        rating = Rating.objects.create(
            service=service,
            score=score,
            tags=tags,
            comment=comment,
            channel=channel,
            rated_by=actor if actor is not None and actor.is_authenticated else None,
            rated_at=now,
        )
        service.rated = True
        service.save(update_fields=["rated"])
        if rating.is_bad:
            followup_open(rating=rating, service=service)
        return rating


def ratings_default_sweep(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Services unrated when their `rate_by` has come are rated 基本满意 by default (idempotent: only
    unrated rows are taken, each locked and re-checked; a rerun finds nothing)."""
    now = now or timezone.now()
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                RatableService.objects.select_for_update()
                .filter(rated=False, rate_by__lte=now, pk__gt=last)
                .order_by("pk")[:batch_size]
            )
            if not rows:
                return done
            Rating.objects.bulk_create(
                [
                    Rating(
                        service=s,
                        score=Score.BASIC,
                        tags=[],
                        comment="",
                        channel=RatingChannel.SYSTEM,
                        is_default=True,
                        rated_at=now,
                    )
                    for s in rows
                ]
            )
            RatableService.objects.filter(pk__in=[s.pk for s in rows]).update(rated=True)
            done += len(rows)
            last = rows[-1].pk
