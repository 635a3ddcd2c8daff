"""Demo cases: a living hall for newcomers (issue 3 point 12: `make demo` shows cases in every state).

`load_demo_cases()` runs after `tongban.demo.loader.load_demo()`. Every case is driven THROUGH THE
SERVICES by the demo's own logins (clerks accept and issue, approvers review, heads decide and extend),
so the case log, documents, deadlines and notifications are exactly what real use produces.

Idempotent: each demo case has a stable key, stored as the case's submission idempotency key (the draft,
which has none yet, is keyed by its applicant and item). A case whose key exists is left alone, and each
journey runs in one transaction, so an interrupted run leaves no half-made case and the next run
completes it. Real time is used: every demo case happens today, except the few of HISTORY_CASES,
played in November 2026 (tongban.demo.history) so that supervision shows red warnings.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Applicant, User
from tongban.cases import services
from tongban.cases.choices import Decision, MaterialStatus, StepStatus
from tongban.cases.forms import form_for_item, form_prefill
from tongban.cases.models import Case, CaseMaterial, Step
from tongban.catalogue.choices import CaseKind, ItemStatus
from tongban.catalogue.models import ServiceItem
from tongban.common.pdf import Notice, render_notice
from tongban.organisations.choices import StaffRole, department_roles_for
from tongban.organisations.models import StaffAssignment
from tongban.supervision.services import warning_sweep

from .history import at, history_possible
from .processes import define_demo_processes

__all__ = ["DEMO_CASES", "HISTORY_CASES", "load_demo_cases"]

CLERK = "chuangkou1"  # 窗口人员（工程建设类）, 天河区政务服务中心
ISSUING_CLERK = "chuangkou4"  # 窗口人员（出件）, same hall
NATURAL = ("zhangsan", "lisi", "wangfang")
LEGAL = ("tianhe_keji", "liede_lianshe")
DRAFT_OWNER = "wangfang"


class _Demo:
    """What the journeys share: the items, the people, a sample PDF for the materials."""

    def __init__(self) -> None:
        processes = define_demo_processes()
        by_kind = {kind: code for code, kind in processes.items()}
        if "serial" not in by_kind or "parallel" not in by_kind:
            raise RuntimeError("演示流程未能定义：请先运行 load_demo() 载入演示事项与部门。")
        self.serial = ServiceItem.objects.get(code=by_kind["serial"], status=ItemStatus.PUBLISHED)
        self.parallel = ServiceItem.objects.get(code=by_kind["parallel"], status=ItemStatus.PUBLISHED)
        self.immediate = (
            ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, case_kind=CaseKind.IMMEDIATE)
            .select_related("department")
            .order_by("code")
            .first()
        )
        self.users = {u.username: u for u in User.objects.filter(username__in=[CLERK, ISSUING_CLERK])}
        self.clerk = self.users[CLERK]
        self.issuer = self.users.get(ISSUING_CLERK, self.clerk)
        self._pdf: bytes | None = None

    # ---- people ----

    def applicant(self, item: ServiceItem, n: int = 0) -> Applicant:
        """A demo applicant with a login who may apply for the item (natural or legal person)."""
        kinds = set(item.applicant_kinds or ["natural"])
        names = NATURAL if "natural" in kinds else LEGAL
        return Applicant.objects.select_related("user").get(user__username=names[n % len(names)])

    def staff(self, department_id: int, *roles: str) -> User:
        """Someone of the department in one of the roles (approver before head), never the administrator:
        every demo department has both logins, so a missing one is an error in the demo data."""
        user = (
            StaffAssignment.objects.filter(
                department_id=department_id, role__in=roles, user__is_active=True, user__is_superuser=False
            )
            .select_related("user")
            .order_by("role", "user__username")
            .first()
        )
        if user is None:
            raise RuntimeError(f"演示数据中部门 #{department_id} 没有{'或'.join(roles)}的登录账户。")
        return user.user

    def step_actor(self, step: Step) -> User:
        return self.staff(step.department_id, *department_roles_for(step.role))

    def head(self, item: ServiceItem) -> User:
        return self.staff(item.department_id, StaffRole.DEPARTMENT_HEAD)

    # ---- forms and files ----

    def form(self, item: ServiceItem, applicant: Applicant, reason: str) -> dict:
        """The profile pre-fill, plus a plausible value for every other required field."""
        schema = form_for_item(item)
        data = form_prefill(schema, applicant)
        for f in schema["fields"]:
            if f["key"] in data or not f.get("required"):
                continue
            kind = f["type"]
            if kind == "select":
                data[f["key"]] = str(f["options"][0])
            elif kind == "number":
                data[f["key"]] = f.get("min") or 1
            elif kind == "date":
                data[f["key"]] = timezone.localdate().isoformat()
            elif kind == "mobile":
                data[f["key"]] = applicant.mobile
            elif kind in ("idnumber", "identity"):
                data[f["key"]] = applicant.identity_number
            elif kind == "creditcode":
                data[f["key"]] = applicant.credit_code
            else:
                data[f["key"]] = reason
        return data

    def pdf(self) -> bytes:
        if self._pdf is None:
            self._pdf = render_notice(
                Notice(
                    title="演示材料",
                    number="演示",
                    issuer="通办演示",
                    recipient="演示申请人",
                    paragraphs=["这是演示数据中上传的示例材料，内容仅供演示。"],
                    date=timezone.localdate(),
                )
            )
        return self._pdf

    def upload_all(self, case: Case, actor: User) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        for m in CaseMaterial.objects.filter(case=case, status=MaterialStatus.MISSING).order_by("id"):
            services.case_material_upload(
                actor=actor,
                case_id=case.pk,
                material_id=m.pk,
                file=SimpleUploadedFile(f"{m.name}.pdf", self.pdf(), content_type="application/pdf"),
                original_name=f"{m.name}.pdf",
            )

    # ---- journeys' building blocks ----

    def online(self, key: str, item: ServiceItem, n: int = 0, reason: str = "申请办理") -> Case:
        applicant = self.applicant(item, n)
        draft = services.case_draft_save(
            actor=applicant.user, item_id=item.pk, form_data=self.form(item, applicant, reason)
        )
        self.upload_all(draft, applicant.user)
        return services.case_submit(actor=applicant.user, case_id=draft.pk, idempotency_key=key)

    def window(self, key: str, item: ServiceItem, n: int = 0, reason: str = "窗口申请") -> Case:
        applicant = self.applicant(item, n)
        case = services.case_intake_register(
            actor=self.clerk,
            item_id=item.pk,
            applicant_id=applicant.pk,
            form_data=self.form(item, applicant, reason),
            idempotency_key=key,
        )
        self.upload_all(case, self.clerk)
        return case

    def accept(self, case: Case) -> Case:
        return services.case_accept(actor=self.clerk, case_id=case.pk, expected_version=case.version)

    def complete_open(self, case: Case, *, outcome: str = "pass", only: int | None = None) -> None:
        """Complete the open review steps (all, or the first `only` of them), each by its department."""
        steps = list(
            Step.objects.filter(case=case, status=StepStatus.OPEN)
            .exclude(kind__in=["decision", "window"])
            .order_by("id")
        )
        for step in steps[:only] if only is not None else steps:
            opinion = (
                "经审查，材料齐全，符合条件，同意。" if outcome == "pass" else "经审查，不符合法定条件。"
            )
            services.step_complete(
                actor=self.step_actor(step), step_id=step.pk, outcome=outcome, opinion=opinion
            )

    def decide(self, case: Case, decision: str = "approved") -> Case:
        step = Step.objects.get(case=case, status=StepStatus.OPEN, kind="decision")
        reason = "申请材料齐全，符合法定条件。" if decision == "approved" else "经审查，申请不符合法定条件。"
        return services.case_decide(
            actor=self.step_actor(step),
            case_id=case.pk,
            decision=decision,
            reason=reason,
            legal_basis=(case.item.legal_basis or "《中华人民共和国行政许可法》第三十八条")[:500],
        )

    def review_to_decision(self, case: Case) -> None:
        """Run every stage's reviews until the decision step is open."""
        for _ in range(10):
            if Step.objects.filter(case=case, status=StepStatus.OPEN, kind="decision").exists():
                return
            self.complete_open(case)
        raise RuntimeError(f"演示办件 {case.number} 未能进入审批决定环节。")


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# Each journey: (key, what it shows, function(demo) -> Case). The key is the idempotency key.
Journey = tuple[str, str, Callable[[_Demo], Case | None]]


def _draft(d: _Demo) -> Case:
    applicant = Applicant.objects.get(user__username=DRAFT_OWNER)
    form = d.form(d.serial, applicant, "")
    form.pop("reason", None)  # stopped half way
    return services.case_draft_save(actor=applicant.user, item_id=d.serial.pk, form_data=form)


def _correction(d: _Demo) -> Case:
    case = d.online("demo:correction", d.serial, 1, "新店开业")
    m = CaseMaterial.objects.filter(case=case).order_by("id").first()
    return services.case_request_correction(
        actor=d.clerk,
        case_id=case.pk,
        items=[
            {"material_id": m.pk, "reason": "扫描件不清晰，请重新上传清晰的彩色扫描件"},
            {"name": "场所平面布局图", "reason": "缺少经营场所平面布局图"},
        ],
    )


def _in_review(key: str, *, parallel: bool, window: bool = False, done: int = 0) -> Callable:
    def journey(d: _Demo) -> Case:
        item = d.parallel if parallel else d.serial
        case = d.window(key, item, 0) if window else d.online(key, item, 0)
        case = d.accept(case)
        if done:
            d.complete_open(case, only=done)
        return _fresh(case)

    return journey


def _joint_pending(d: _Demo) -> Case:
    case = d.accept(d.online("demo:parallel-joint", d.parallel, 1))
    d.complete_open(case)
    return _fresh(case)


def _supplementing(d: _Demo) -> Case:
    case = d.accept(d.online("demo:supplementing", d.serial, 2))
    step = Step.objects.get(case=case, status=StepStatus.OPEN)
    m = CaseMaterial.objects.filter(case=case).order_by("id").first()
    return services.case_request_correction(
        actor=d.step_actor(step),
        case_id=case.pk,
        items=[{"material_id": m.pk, "reason": "卫生检测报告已过期"}],
    )


def _returned(d: _Demo) -> Case:
    case = d.accept(d.online("demo:returned", d.serial, 1))
    step = Step.objects.get(case=case, status=StepStatus.OPEN)
    services.step_complete(
        actor=d.step_actor(step),
        step_id=step.pk,
        outcome="return",
        opinion="申请表与营业执照上的地址不一致，请窗口核实",
    )
    return _fresh(case)


def _paused(d: _Demo) -> Case:
    case = d.accept(d.online("demo:paused", d.parallel, 0))
    step = Step.objects.filter(case=case, status=StepStatus.OPEN).order_by("id").first()
    return services.case_pause(
        actor=d.step_actor(step),
        case_id=case.pk,
        procedure="expert_review",
        reason="涉及结构安全，组织专家评审",
        expected_days=5,
    )


def _extended(d: _Demo) -> Case:
    case = d.accept(d.online("demo:extended", d.serial, 1))
    return services.case_extend(
        actor=d.head(case.item), case_id=case.pk, days=5, reason="现场核查需协调多部门"
    )


def _decided(key: str, decision: str, *, item: str = "serial") -> Callable:
    def journey(d: _Demo) -> Case:
        case = d.accept(d.online(key, getattr(d, item), 2))
        if decision == "denied":
            d.complete_open(case, outcome="fail")
        d.review_to_decision(case)
        return d.decide(_fresh(case), decision)

    return journey


def _issued(key: str, method: str, *, item: str) -> Callable:
    def journey(d: _Demo) -> Case:
        case = d.accept(
            d.window(key, getattr(d, item), 0) if method == "pickup" else d.online(key, getattr(d, item), 0)
        )
        d.review_to_decision(case)
        case = d.decide(_fresh(case))
        applicant = case.applicant
        return services.case_issue(
            actor=d.issuer if method != "pickup" else d.clerk,
            case_id=case.pk,
            method=method,
            identity_checked=method == "pickup",
            receiver_name=applicant.contact_name or applicant.name,
            receiver_id_number=applicant.contact_id_number or applicant.id_number,
            tracking_number="EMS1234567890CN" if method == "post" else "",
        )

    return journey


def _refused(d: _Demo) -> Case:
    case = d.window("demo:refused", d.serial, 2)
    return services.case_refuse(
        actor=d.clerk,
        case_id=case.pk,
        reason="申请事项不属于本机关职权范围",
        refer_to="广州市天河区市场监督管理局",
    )


def _immediate(d: _Demo) -> Case | None:
    if d.immediate is None:
        return None
    case = d.window("demo:immediate", d.immediate, 1, "窗口即办")
    applicant = case.applicant
    return services.case_handle_immediately(
        actor=d.clerk,
        case_id=case.pk,
        reason="材料齐全，符合条件，当场办结",
        decision=Decision.APPROVED,
        identity_checked=True,
        receiver_name=applicant.contact_name or applicant.name,
        receiver_id_number=applicant.contact_id_number or applicant.id_number,
    )


def _withdrawn(d: _Demo) -> Case:
    case = d.online("demo:withdrawn", d.serial, 0)
    applicant = case.applicant
    return services.case_withdraw(actor=applicant.user, case_id=case.pk, reason="经营计划调整，暂不申请")


# ---- the past (tongban.demo.history): November 2026, so today finds them overdue or long closed ----


def _overdue_serial(d: _Demo) -> Case:
    """Accepted on Monday 16 November, promised in 5 working days (23 November), never reviewed: the
    case and its review step are red."""
    with at("2026-11-16 09:20"):
        case = d.online("demo:overdue-serial", d.serial, 1, "新开游泳馆，申请公共场所卫生许可")
    with at("2026-11-16 14:05"):
        return d.accept(case)


def _overdue_parallel(d: _Demo) -> Case:
    """Accepted on Monday 23 November; two of the three departments reviewed the next day, the third
    never did: its step (and so the case) is red."""
    with at("2026-11-23 09:40"):
        case = d.window("demo:overdue-parallel", d.parallel, 2, "新建仓库，申请施工许可")
    with at("2026-11-23 10:15"):
        case = d.accept(case)
    with at("2026-11-24 15:30"):
        d.complete_open(case, only=2)
    return _fresh(case)


def _history_rated(d: _Demo) -> Case:
    """Applied for online on 2 November, decided on the 5th and posted the same day: the case the
    applicant rated badly (demo.ratings plays the rating and its follow-up)."""
    with at("2026-11-02 09:15"):
        case = d.online("demo:history-rated", d.serial, 0, "美容店开业，申请公共场所卫生许可")
    with at("2026-11-02 15:30"):
        case = d.accept(case)
    with at("2026-11-04 11:00"):
        d.complete_open(case)
    with at("2026-11-05 10:20"):
        case = d.decide(_fresh(case))
    with at("2026-11-05 16:00"):
        applicant = case.applicant
        return services.case_issue(
            actor=d.issuer,
            case_id=case.pk,
            method="post",
            receiver_name=applicant.name,
            receiver_id_number=applicant.id_number,
            tracking_number="EMS9876543210CN",
        )


HISTORY_CASES: list[Journey] = [
    ("demo:overdue-serial", "超期（红灯）：11 月 16 日受理，审查环节未办", _overdue_serial),
    ("demo:overdue-parallel", "超期（红灯）：并联审查一个部门未办", _overdue_parallel),
    ("demo:history-rated", "已出件（11 月 5 日，申请人给了差评）", _history_rated),
]

DEMO_CASES: list[Journey] = [
    ("demo:draft", "草稿（未提交）", _draft),
    (
        "demo:submitted",
        "网上申报，待受理（网上预审）",
        lambda d: d.online("demo:submitted", d.serial, 0, "新开业申请"),
    ),
    ("demo:submitted-window", "窗口收件，待受理", lambda d: d.window("demo:submitted-window", d.parallel, 1)),
    ("demo:correction", "待补正（受理前一次性告知）", _correction),
    ("demo:serial-review", "审查中（串联，审查环节）", _in_review("demo:serial-review", parallel=False)),
    (
        "demo:serial-decision",
        "审查中（串联，审查已完成，待决定）",
        _in_review("demo:serial-decision", parallel=False, done=1),
    ),
    (
        "demo:parallel-review",
        "审查中（并联，三部门同时审查）",
        _in_review("demo:parallel-review", parallel=True, window=True),
    ),
    (
        "demo:parallel-partial",
        "审查中（并联，一个部门已办）",
        _in_review("demo:parallel-partial", parallel=True, done=1),
    ),
    ("demo:parallel-joint", "审查中（并联，待牵头部门联合决定）", _joint_pending),
    ("demo:supplementing", "补正中（受理后补正，暂停计时）", _supplementing),
    ("demo:returned", "退回窗口（审查部门退回，待窗口处理）", _returned),
    ("demo:paused", "特别程序（专家评审，暂停计时）", _paused),
    ("demo:extended", "已延期（+5 个工作日）", _extended),
    ("demo:approved", "已办结：准予（待出件）", _decided("demo:approved", "approved")),
    ("demo:denied", "已办结：不予（待出件）", _decided("demo:denied", "denied")),
    (
        "demo:closed-pickup",
        "已出件（并联，窗口领取）",
        _issued("demo:closed-pickup", "pickup", item="parallel"),
    ),
    ("demo:closed-post", "已出件（串联，邮寄送达）", _issued("demo:closed-post", "post", item="serial")),
    ("demo:refused", "不予受理", _refused),
    ("demo:immediate", "即办件（窗口当场办结）", _immediate),
    ("demo:withdrawn", "已撤回", _withdrawn),
    *HISTORY_CASES,
]


def _exists(demo: _Demo, key: str) -> bool:
    if key == "demo:draft":  # a draft has no submission key yet: keyed by its owner and item
        return (
            Case.objects.filter(submitted_by__username=DRAFT_OWNER, item__code=demo.serial.code)
            .exclude(submit_key__startswith="demo:")
            .exists()
        )
    return Case.objects.filter(submit_key=key).exists()


def load_demo_cases(*, verbosity: int = 1) -> dict[str, int]:
    """Drive the demo cases into every state (idempotent). Returns {"created": n, "existing": m}.

    Call after `tongban.demo.loader.load_demo()`; defines the demo processes first
    (`processes.define_demo_processes()`).
    """
    demo = _Demo()
    created = existing = 0
    past = history_possible()
    history = {key for key, _label, _journey in HISTORY_CASES}
    for key, label, journey in DEMO_CASES:
        if _exists(demo, key):
            existing += 1
            continue
        if key in history and not past:
            continue
        with transaction.atomic():
            case = journey(demo)
        if case is None:
            continue
        created += 1
        if verbosity:
            print(f"  {label}: {case.number or f'草稿 #{case.pk}'}（{_fresh(case).get_status_display()}）")
    if past:  # the past's deadlines reach their levels now, not at the scheduler's next sweep
        warning_sweep()
    return {"created": created, "existing": existing}
