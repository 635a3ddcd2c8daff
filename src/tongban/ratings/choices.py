"""Choices of 好差评: what is rated, the five grades, the national dimension tags, follow-up stages."""

from __future__ import annotations

from django.db import models


class ServiceKind(models.TextChoices):
    """The kinds of service a person can rate (one RatableService row per service)."""

    WINDOW_VISIT = "window_visit", "窗口办事"
    ONLINE_CASE = "online_case", "网上办件"
    KIOSK_SESSION = "kiosk_session", "自助终端"
    HOTLINE_ORDER = "hotline_order", "12345热线"


class Score(models.IntegerChoices):
    """Five grades of 国办发〔2019〕51号: 4–5 count as 好评, 1–2 as 差评."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"

    @classmethod
    def good(cls) -> tuple[int, ...]:
        return (cls.VERY_SATISFIED, cls.SATISFIED)

    @classmethod
    def bad(cls) -> tuple[int, ...]:
        return (cls.DISSATISFIED, cls.VERY_DISSATISFIED)


class RatingTag(models.TextChoices):
    """Dimensions the national rules ask people to judge (国办发〔2019〕51号; GB/T 39735-2020 政务服务评价
    工作指南): a person ticks the ones their grade is about."""

    EFFICIENCY = "efficiency", "服务效率"
    ATTITUDE = "attitude", "服务态度"
    GUIDE_ACCURACY = "guide_accuracy", "办事指南准确"
    CONVENIENCE = "convenience", "办事便利"
    FEWER_TRIPS = "fewer_trips", "少跑动"
    FAIRNESS = "fairness", "公平公正（服务规范）"
    RESULT = "result", "办理结果"
    ENVIRONMENT = "environment", "服务环境与设施"


class RatingChannel(models.TextChoices):
    WEB = "web", "网页/移动端"
    KIOSK = "kiosk", "自助终端"
    SMS = "sms", "短信"
    PAD = "pad", "窗口评价器"
    SYSTEM = "system", "系统默认"


class FollowUpStage(models.TextChoices):
    """核实 → 整改 → 回访 → 办结. A claim accepted as invalid also ends in CLOSED."""

    VERIFY = "verify", "待核实"
    RECTIFY = "rectify", "待整改"
    CALLBACK = "callback", "待回访"
    CLOSED = "closed", "已办结"

    @classmethod
    def open(cls) -> tuple[str, ...]:
        return (cls.VERIFY, cls.RECTIFY, cls.CALLBACK)


class ClaimStatus(models.TextChoices):
    NONE = "", "无"
    PENDING = "pending", "申诉待审核"
    ACCEPTED = "accepted", "申诉成立（无效差评）"
    REJECTED = "rejected", "申诉驳回"


class ClaimKind(models.TextChoices):
    MALICIOUS = "malicious", "恶意差评"
    MISTAKEN = "mistaken", "误评"


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
    UNREACHABLE = "unreachable", "无法联系"


class ClosedReason(models.TextChoices):
    NONE = "", "—"
    CALLED_BACK = "called_back", "回访办结"
    INVALID = "invalid", "无效差评"


class FollowUpEventKind(models.TextChoices):
    OPENED = "opened", "生成整改单"
    VERIFIED = "verified", "核实"
    RECTIFIED = "rectified", "整改"
    CALLED_BACK = "called_back", "回访"
    CLAIMED = "claimed", "申诉无效差评"
    CLAIM_ACCEPTED = "claim_accepted", "申诉成立"
    CLAIM_REJECTED = "claim_rejected", "申诉驳回"


class FigureDimension(models.TextChoices):
    STAFF = "staff", "工作人员"
    WINDOW = "window", "窗口"
    DEPARTMENT = "department", "部门"
    ITEM = "item", "事项"
