"""Users (staff and applicants' logins) and applicants (who may exist without a login: a walk-in)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.common.choices import ApplicantKind
from tongban.common.models import TimeStampedModel
from tongban.common.validators import normalize_id_number, validate_credit_code, validate_id_number


class UserKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    APPLICANT = "applicant", "申请人"


class User(AbstractUser):
    kind = models.CharField("账户类型", max_length=16, choices=UserKind.choices, default=UserKind.STAFF)
    display_name = models.CharField("姓名", max_length=64, blank=True)
    mobile = models.CharField("手机号码", max_length=20, blank=True)
    failed_login_count = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())

    @property
    def is_applicant(self) -> bool:
        return self.kind == UserKind.APPLICANT


class Applicant(TimeStampedModel):
    """申请人: a natural person (ID number) or a legal person (credit code) with a contact person."""

    kind = models.CharField("申请人类型", max_length=16, choices=ApplicantKind.choices)
    user = models.OneToOneField(
        User,
        verbose_name="登录账户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicant",
    )
    name = models.CharField("姓名/单位名称", max_length=128)
    id_number = models.CharField(
        "身份证号码", max_length=18, blank=True, db_index=True, validators=[validate_id_number]
    )
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, db_index=True, validators=[validate_credit_code]
    )
    legal_representative = models.CharField("法定代表人", max_length=64, blank=True)
    contact_name = models.CharField("联系人", max_length=64, blank=True)
    contact_id_number = models.CharField(
        "联系人身份证号码", max_length=18, blank=True, validators=[validate_id_number]
    )
    mobile = models.CharField("手机号码", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    address = models.CharField("地址", max_length=255, blank=True)

    class Meta:
        verbose_name = "申请人"
        verbose_name_plural = "申请人"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=Q(kind="natural"), name="uniq_applicant_natural_id"
            ),
            models.UniqueConstraint(
                fields=["credit_code"], condition=Q(kind="legal"), name="uniq_applicant_legal_code"
            ),
            models.CheckConstraint(
                condition=(Q(kind="natural") & ~Q(id_number="")) | (Q(kind="legal") & ~Q(credit_code="")),
                name="applicant_has_identity",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None):
        """Numbers are stored as the validators normalise them (upper-case X, no spaces), so the admin
        and the demo loader store what the services would."""
        for field in ("id_number", "credit_code", "contact_id_number"):
            setattr(self, field, normalize_id_number(getattr(self, field)))
        super().clean_fields(exclude=exclude)

    @property
    def identity_number(self) -> str:
        return self.id_number if self.kind == ApplicantKind.NATURAL else self.credit_code


class AccountEventKind(models.TextChoices):
    REGISTERED = "registered", "申请人注册"
    STAFF_CREATED = "staff_created", "创建工作人员账户"
    LOGIN_SUCCEEDED = "login_ok", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED = "locked", "账户锁定"
    UNLOCKED = "unlocked", "解除锁定"
    TOKEN_ISSUED = "token_issued", "签发接口令牌"


class AccountEvent(models.Model):
    """Append-only audit log of account changes and login outcomes (等保: login audit is required)."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="account_events"
    )
    kind = models.CharField("事件", max_length=16, choices=AccountEventKind.choices)
    actor = models.ForeignKey(
        User,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "账户日志"
        verbose_name_plural = "账户日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
