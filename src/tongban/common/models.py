"""Base models shared by every app."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


def field_label(model: type[models.Model], name: str) -> str:
    """The verbose name of a model's field, for messages that name the field ("" for a name that is no
    field, such as "__all__", and for a relation's reverse side)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return ""
    return str(field.verbose_name) if isinstance(field, models.Field) else ""
