"""What administrators teach the search: synonyms and colloquial phrasings, and life events (人生事件).

Why data and not code: how residents of a district say things (开饭店, 身份证丢了, 上户口) and which items a
situation in life takes (开餐馆: 营业执照, 食品经营许可 …) differ by place and change with the catalogue,
so the catalogue administrators keep them (admin, REST API, CSV/XLSX). Items are named by their code,
not by a row: a code keeps its meaning across versions. `catalogue.search` reads both tables into its
index; every change takes effect at the next search (docs/search.md).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from tongban.common.models import TimeStampedModel
from tongban.common.workflow import actor_field

from .choices import LifeEvent


class SearchSynonym(TimeStampedModel):
    """同义词 / 口语说法: a phrase people type → the catalogue's own words, and/or the items it means."""

    phrase = models.CharField(
        "说法",
        max_length=32,
        unique=True,
        help_text="群众的说法，如“丢了”“开饭店”“社保”。保存时去掉空格、统一全半角和大小写。",
    )
    terms = models.JSONField(
        "对应检索词", default=list, blank=True, help_text="事项清单里的说法，如“补领”“补办”“遗失”。"
    )
    item_codes = models.JSONField(
        "直达事项编码", default=list, blank=True, help_text="这个说法直接指向的事项，按优先顺序。"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "同义词与口语说法"
        verbose_name_plural = "同义词与口语说法"
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class LifeEventIntent(TimeStampedModel):
    """人生事件: a situation in life (出生, 开餐馆 …), the phrasings that name it and the items it takes.

    Its items are the listed codes in the order they are usually done, then every published item whose
    主题分类 is `theme` (when set). The guide browses by these; search ranks their items first when a
    query says one of the phrasings.
    """

    code = models.SlugField(
        "编码",
        max_length=32,
        unique=True,
        help_text="英文小写、数字、连字符或下划线，用于链接，如 open_restaurant。",
    )
    name = models.CharField("名称", max_length=32, unique=True)
    description = models.CharField("说明", max_length=255, blank=True)
    phrases = models.JSONField("常见说法", default=list, blank=True, help_text="如“开饭店”“开奶茶店”。")
    theme = models.CharField(
        "主题分类",
        max_length=32,
        choices=LifeEvent.choices,
        blank=True,
        help_text="选定后，该主题分类下的已发布事项也列入本事件（排在所列事项之后）。",
    )
    item_codes = models.JSONField("事项编码（按办理顺序）", default=list, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "人生事件"
        verbose_name_plural = "人生事件"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class SearchEventKind(models.TextChoices):
    CREATED = "created", "新建"
    UPDATED = "updated", "修改"
    DELETED = "deleted", "删除"
    IMPORTED = "imported", "导入"


class SearchEvent(models.Model):
    """Append-only log of changes to synonyms and life events: who, what, the values before and after."""

    target = models.CharField("对象", max_length=16)  # "synonym" | "life_event"
    key = models.CharField("说法或编码", max_length=64, db_index=True)
    kind = models.CharField("事件", max_length=16, choices=SearchEventKind.choices)
    actor = actor_field()
    detail = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "检索配置变更日志"
        verbose_name_plural = "检索配置变更日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} · {self.get_kind_display()}"
