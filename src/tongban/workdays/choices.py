"""Choices of the working-day calendar."""

from django.db import models


class DayKind(models.TextChoices):
    """What kind of day a date is. Working days are WORKDAY and MAKEUP; everything else is a rest day."""

    WORKDAY = "workday", "工作日"
    WEEKEND = "weekend", "周末"
    HOLIDAY = "holiday", "法定节假日"
    MAKEUP = "makeup", "调休上班"


WORKING_KINDS = frozenset({DayKind.WORKDAY, DayKind.MAKEUP})


class CalendarChangeAction(models.TextChoices):
    SEED = "seed", "初始导入"
    IMPORT = "import", "年度导入"
    DAY_SET = "day_set", "单日修改"
    PROVISIONAL = "provisional", "按法定假日推算（暂定）"


class HorizonLevel(models.TextChoices):
    """How far the OFFICIAL calendar reaches (see selectors.calendar_horizon). Nothing stops when it
    runs out — later dates are provisional — so the levels say how many dates are only 暂定."""

    OK = "ok", "正常"
    WARNING = "warning", "提醒"
    URGENT = "urgent", "紧急"
