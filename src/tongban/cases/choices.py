"""Choices of the cases app: case states (with named groups), channels, steps, pauses, documents."""

from __future__ import annotations

from django.db import models


class CaseStatus(models.TextChoices):
    """The states of a case. The allowed moves between them are in `transitions.py` (one table)."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待受理"
    CORRECTION = "correction", "待补正（未受理）"
    IN_REVIEW = "in_review", "审查中"
    SUPPLEMENTING = "supplementing", "补正中（已受理，暂停计时）"
    RETURNED = "returned", "退回窗口"
    CONCLUDED = "concluded", "已办结（待出件）"
    CLOSED = "closed", "已办结（已出件）"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"

    @classmethod
    def intake(cls) -> frozenset[str]:
        """申报阶段: not yet accepted (the 5-day intake rule applies to SUBMITTED)."""
        return frozenset({cls.DRAFT, cls.SUBMITTED, cls.CORRECTION})

    @classmethod
    def handling(cls) -> frozenset[str]:
        """办理阶段: accepted and not yet decided; the statutory clock is running or paused."""
        return frozenset({cls.IN_REVIEW, cls.SUPPLEMENTING, cls.RETURNED})

    @classmethod
    def finished(cls) -> frozenset[str]:
        """终结: nothing more will happen (CONCLUDED still waits for issuance)."""
        return frozenset({cls.CLOSED, cls.REFUSED, cls.WITHDRAWN})

    @classmethod
    def concluded(cls) -> frozenset[str]:
        """办结: a decision was made."""
        return frozenset({cls.CONCLUDED, cls.CLOSED})


class CaseChannel(models.TextChoices):
    ONLINE = "online", "网上申报"
    WINDOW = "window", "窗口申报"
    KIOSK = "kiosk", "自助终端"


class Decision(models.TextChoices):
    APPROVED = "approved", "准予"
    DENIED = "denied", "不予"


class StageKind(models.TextChoices):
    SINGLE = "single", "单一环节"
    PARALLEL = "parallel", "并联审批"


class StepKind(models.TextChoices):
    REVIEW = "review", "审查"
    JOINT = "joint", "牵头部门汇总"
    DECISION = "decision", "审批决定"
    WINDOW = "window", "窗口即办"


class StepStatus(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已办"
    CANCELLED = "cancelled", "已取消"

    @classmethod
    def todo(cls) -> frozenset[str]:
        return frozenset({cls.OPEN})


class StepOutcome(models.TextChoices):
    PASS = "pass", "通过"
    FAIL = "fail", "不通过"
    RETURN = "return", "退回窗口"


class PauseKind(models.TextChoices):
    CORRECTION = "correction", "补正材料"
    SPECIAL = "special", "特别程序"


class SpecialProcedure(models.TextChoices):
    HEARING = "hearing", "听证"
    INSPECTION = "inspection", "检验"
    TESTING = "testing", "检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"


class IssuanceMethod(models.TextChoices):
    PICKUP = "pickup", "窗口领取"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"


class VisitKind(models.TextChoices):
    INTAKE = "intake", "窗口申报"
    CORRECTION = "correction", "窗口补正"
    PICKUP = "pickup", "领取结果"
    OTHER = "other", "其他到场"


class MaterialStatus(models.TextChoices):
    MISSING = "missing", "未提交"
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已核验"
    DEFICIENT = "deficient", "需补正"
    NOT_NEEDED = "not_needed", "免提交"


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理通知书"
    REFUSAL = "refusal", "不予受理通知书"
    CORRECTION = "correction", "补正告知书"
    SPECIAL = "special", "特别程序告知书"
    EXTENSION = "extension", "延期告知书"
    DECISION = "decision", "决定书"


class CaseEventKind(models.TextChoices):
    DRAFT_SAVED = "draft_saved", "保存草稿"
    SUBMITTED = "submitted", "提交申请"
    REGISTERED = "registered", "窗口收件"
    ACCEPTED = "accepted", "受理"
    REFUSED = "refused", "不予受理"
    CORRECTION_REQUESTED = "correction_requested", "一次性告知补正"
    RESUBMITTED = "resubmitted", "补正提交"
    STEP_OPENED = "step_opened", "环节开始"
    STEP_COMPLETED = "step_completed", "环节办理"
    RETURNED = "returned", "退回窗口"
    DECIDED = "decided", "审批决定"
    PAUSED = "paused", "暂停计时"
    RESUMED = "resumed", "恢复计时"
    EXTENDED = "extended", "延期"
    ISSUED = "issued", "出件"
    WITHDRAWN = "withdrawn", "撤回"
    VISIT = "visit", "到场办事"
    INTAKE_OVERDUE = "intake_overdue", "超过5个工作日未作受理决定"
    MATERIAL_UPLOADED = "material_uploaded", "上传材料"
    MATERIAL_CHECKED = "material_checked", "核验材料"
    FEE_RECORDED = "fee_recorded", "登记收费"
    DEADLINE_RECOMPUTED = "deadline_recomputed", "期限重新计算（工作日历变更）"

    @classmethod
    def public(cls) -> frozenset[str]:
        """The case log as the applicant and public tracking see it (pages and API alike): what the
        applicant did, and what they are told of in writing — filing, intake decisions, corrections,
        pauses and extensions of the clock, the decision, delivery, their visits and fees. Work inside
        the centre (drafts, steps opened and done, uploads and checks, returns to the window,
        supervision flags) is for staff."""
        return frozenset(
            {
                cls.SUBMITTED,
                cls.REGISTERED,
                cls.ACCEPTED,
                cls.REFUSED,
                cls.CORRECTION_REQUESTED,
                cls.RESUBMITTED,
                cls.PAUSED,
                cls.RESUMED,
                cls.EXTENDED,
                cls.DECIDED,
                cls.ISSUED,
                cls.WITHDRAWN,
                cls.VISIT,
                cls.FEE_RECORDED,
                cls.DEADLINE_RECOMPUTED,
            }
        )
