"""Choices of analytics: performance dimensions and anomaly kinds (TextChoices, never bare strings)."""

from __future__ import annotations

from django.db import models


class Dimension(models.TextChoices):
    """What a row of the performance table is about."""

    DEPARTMENT = "department", "部门"
    WINDOW = "window", "窗口"
    STAFF = "staff", "工作人员（受理人）"
    ITEM = "item", "事项"
    MONTH = "month", "月份"


class AnomalyKind(models.TextChoices):
    """异常 beyond time. Each is detected at most once per case (unique kind + case)."""

    MISSING_STEP = "missing_step", "缺少必经环节即作出决定或出件"
    RETURNED_REPEATEDLY = "returned_repeatedly", "退回窗口超过两次"
    EXTRA_VISITS = "extra_visits", "跑动次数超过承诺（两头跑）"
    REPEATED_CORRECTION = "repeated_correction", "多次补正告知（未一次性告知）"
    FEE_MISMATCH = "fee_mismatch", "收费与事项清单不一致"
