"""Choices used by several apps (kept here so that no app imports another's models for a label)."""

from django.db import models


class ItemCategory(models.TextChoices):
    """The three intake categories of a comprehensive window (事项分类)."""

    CONSTRUCTION = "construction", "工程建设类"
    BUSINESS = "business", "经营类"
    CITIZEN = "citizen", "公民类"


class ApplicantKind(models.TextChoices):
    NATURAL = "natural", "自然人"
    LEGAL = "legal", "法人"
