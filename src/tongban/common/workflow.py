"""The workflow kernel: the one way a stateful row changes (DESIGN rule 2), written once.

A write locks the row (`lock`: SELECT … FOR UPDATE OF the row, 404 when missing, 409 when the caller's
`expected_version` is stale), checks the move against the model's declared `Transitions` (409
`illegal_transition` with a Chinese reason), saves the new state with `save_with_version` (the
optimistic version +1) and appends one event row with `record`, all in the caller's transaction; side
effects (messages, tasks) stay deferred to `transaction.on_commit` by the caller. Each domain keeps its
own concrete event table (typed foreign key, cascades, the analytics queries) on the abstract `Event` /
`StateEvent` bases below, so their columns cannot drift apart again.

`common` is the lowest layer: this module imports no other tongban app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Manager, QuerySet
from django.utils import timezone

from .errors import TEXT_MAX_LENGTH, Conflict, IllegalTransition, NotFound

if TYPE_CHECKING:
    from .types import AnyUser

M = TypeVar("M", bound=models.Model)

#: The longest note an event row keeps: the longest reason a person may write (errors.TEXT_MAX_LENGTH).
NOTE_MAX_LENGTH = TEXT_MAX_LENGTH


# ---- event tables --------------------------------------------------------------------------------


def actor_field(**options: Any) -> models.ForeignKey:
    """Who did it: a user, or none (the system, a kiosk; a deleted user leaves the row). Every log
    table of the project declares its actor with this."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


class Event(models.Model):
    """An append-only log row about one subject: what happened (`kind`), who did it, a note, when.

    A concrete table adds the foreign key to its subject, names it in `subject_field`, gives `kind` its
    choices and declares `subject_index(...)` in its Meta, so "the log of this thing in time order" is
    one index range on every table."""

    subject_field: ClassVar[str] = ""

    kind = models.CharField("事件", max_length=24)
    actor = actor_field()
    note = models.TextField("说明", max_length=NOTE_MAX_LENGTH, blank=True)
    # Stored as an aware UTC instant like every datetime of the project (USE_TZ), shown in Beijing time.
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @classmethod
    def subject_defaults(cls, subject: models.Model) -> dict[str, Any]:
        """Columns a new row copies from its subject unless the writer names them (e.g. the window)."""
        return {}


class StateEvent(Event):
    """An event of a subject with a state machine: the state before and after (equal when it stayed).
    `state_field` names the subject's state column: a row's "after" is where the subject now stands
    unless the writer says otherwise."""

    state_field: ClassVar[str] = "status"

    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)

    class Meta(Event.Meta):
        abstract = True


def subject_index(subject_field: str, name: str) -> models.Index:
    """The (subject, at) index every event table carries: one subject's log in time order."""
    return models.Index(fields=[subject_field, "at"], name=name)


# ---- the transition table ------------------------------------------------------------------------


class Transitions:
    """The allowed moves of one model, each named: {action: {from state: to state}}.

    A state missing from an action's row means the action is illegal there. `refusal` is the Chinese
    sentence a refused move raises (409 illegal_transition); it may name `{state}` (the current state's
    label), `{action}` (the action's label) and `{subject}` (the row, e.g. `{subject.number}`)."""

    def __init__(
        self,
        moves: Mapping[str, Mapping[str, str]],
        *,
        labels: Mapping[str, str],
        states: type[models.TextChoices],
        refusal: str,
    ) -> None:
        missing = set(moves) - set(labels)
        if missing:
            raise ValueError(f"transitions without a label: {sorted(missing)}")
        self.moves = {action: dict(row) for action, row in moves.items()}
        self.labels = dict(labels)
        self.states = states
        self.refusal = refusal

    def __contains__(self, action: str) -> bool:
        return action in self.moves

    def label(self, state: str) -> str:
        return str(self.states(state).label) if state in self.states.values else state

    def allowed(self, state: str) -> list[str]:
        """The actions possible from `state` (for buttons and the API's links)."""
        return [action for action, row in self.moves.items() if state in row]

    def target(self, action: str, state: str, *, subject: Any = None) -> str:
        """The state `action` leads to from `state`, or IllegalTransition with the reason in Chinese."""
        after = self.moves[action].get(state)
        if after is None:
            raise self.refused(self.labels[action], state, subject=subject)
        return after

    def check(self, before: str, after: str, *, subject: Any = None) -> str:
        """The name of the declared move from `before` to `after`, or IllegalTransition."""
        for action, row in self.moves.items():
            if row.get(before) == after:
                return action
        raise self.refused(f"改为“{self.label(after)}”", before, subject=subject)

    def refused(self, action_label: str, state: str, *, subject: Any = None) -> IllegalTransition:
        message = self.refusal.format(state=self.label(state), action=action_label, subject=subject)
        return IllegalTransition(message, code="illegal_transition")


# ---- lock, save, record --------------------------------------------------------------------------

STALE_MESSAGE = "已被他人处理，请刷新后重试。"


def check_version(obj: models.Model, expected_version: int | None, *, stale: str, code: str = "conflict"):
    """409 when the caller saw another version of the row than the one now locked."""
    if expected_version is not None and obj.version != expected_version:
        raise Conflict(stale, code=code)


def lock(
    source: QuerySet[M] | Manager[M] | Callable[[int], M | None],
    pk: int,
    expected_version: int | None = None,
    *,
    missing: str,
    stale: str = STALE_MESSAGE,
    stale_code: str = "conflict",
) -> M:
    """Lock row `pk` for this transaction (FOR UPDATE OF the row only, never the tables a scoped or
    select_related queryset joins) and check the optimistic version when the caller gave one.

    `source` is a queryset (scoped already, when the caller's view of the rows matters: a row the
    actor may not see is "missing"), or a function that fetches the locked row itself (a prepared
    statement). `missing` is the Chinese 404, `stale` the Chinese 409."""
    if isinstance(source, QuerySet | Manager):
        obj = source.select_for_update(of=("self",)).filter(pk=pk).first()
    else:
        obj = source(pk)
    if obj is None:
        raise NotFound(missing)
    check_version(obj, expected_version, stale=stale, code=stale_code)
    return obj


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist
        return False
    return True


def save_with_version(obj: models.Model, fields: Iterable[str]) -> None:
    """Save the listed fields, +1 on the optimistic `version` when the model has one, and the
    `updated_at` stamp when it has one. The caller holds the row lock from `lock`, so the version it
    read is current and +1 needs no read back."""
    update = set(fields)
    if _has_field(type(obj), "version"):
        obj.version += 1
        update.add("version")
    if _has_field(type(obj), "updated_at"):
        update.add("updated_at")
    obj.save(update_fields=sorted(update))


# Never set from **detail: the kernel's own columns and the subject's foreign key.
_COMMON_COLUMNS = frozenset({"kind", "actor", "note", "at", "from_status", "to_status", "detail"})


def build(
    event_model: type[M],
    subject: models.Model,
    kind: str,
    /,
    *,
    actor: AnyUser | None = None,
    before: Any = None,
    after: Any = None,
    note: str = "",
    at: datetime | None = None,
    **detail: Any,
) -> M:
    """An unsaved event row (`record` saves one; `record_many` inserts several at once).

    On a `StateEvent` table `after` defaults to the subject's current state; a table with JSON
    `before`/`after` columns takes the subject's values there. A table with no `subject_field` names its
    subject through `subject_defaults`. Keyword arguments that are
    fields of the event table are set (e.g. a ticket event's window); the rest go to its JSON `detail`
    column, and so do the names of the common columns (a step's `kind` in a case event's detail). An
    actor that is not a saved user (anonymous, a kiosk) is recorded as none."""
    fields: dict[str, Any] = {
        "kind": kind,
        "actor": actor if getattr(actor, "pk", None) else None,
        "note": (note or "")[:NOTE_MAX_LENGTH],
        "at": at or timezone.now(),
        **event_model.subject_defaults(subject),
    }
    if event_model.subject_field:  # else the subject is named by `subject_defaults` (type and id)
        fields[event_model.subject_field] = subject
    if issubclass(event_model, StateEvent):
        fields["from_status"] = before or ""
        fields["to_status"] = getattr(subject, event_model.state_field) if after is None else after
    elif _has_field(event_model, "before") and _has_field(event_model, "after"):
        # a table without states that keeps the subject's values before and after (the organisation log)
        fields["before"], fields["after"] = before or {}, after or {}
    elif before is not None or after is not None:
        raise TypeError(f"{event_model.__name__} records no states")
    if event_model.subject_field in detail:
        raise TypeError(f"{event_model.subject_field} is the subject, not a detail")
    extra = {}
    for name, value in detail.items():
        if name not in _COMMON_COLUMNS and _has_field(event_model, name):
            fields[name] = value
        else:
            extra[name] = value
    if _has_field(event_model, "detail"):
        fields["detail"] = extra
    elif extra:
        raise TypeError(f"{event_model.__name__} has no field(s) {sorted(extra)}")
    return event_model(**fields)


def record(event_model: type[M], subject: models.Model, kind: str, /, **fields: Any) -> M:
    """Append one event row about `subject` in the caller's transaction (rolled back with it); the
    keyword arguments are `build`'s: actor, before, after, note, and detail."""
    row = build(event_model, subject, kind, **fields)
    row.save(force_insert=True)
    return row


def record_many(event_model: type[M], rows: list[M]) -> list[M]:
    """Append several rows built with `build` in one INSERT."""
    return event_model.objects.bulk_create(rows)


__all__ = [
    "NOTE_MAX_LENGTH",
    "Event",
    "StateEvent",
    "Transitions",
    "build",
    "check_version",
    "lock",
    "record",
    "record_many",
    "save_with_version",
    "subject_index",
]
