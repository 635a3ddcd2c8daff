import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tongban.accounts import services
from tongban.accounts.models import AccountEvent, AccountEventKind, Applicant, User, UserKind
from tongban.accounts.tests.factories import (
    PASSWORD,
    ApplicantFactory,
    DepartmentFactory,
    HallFactory,
    LegalApplicantFactory,
    StaffFactory,
    make_id_number,
)
from tongban.common.errors import Conflict, NotAllowed, ValidationFailed
from tongban.common.tests.standards import gb32100_check
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Qiang-Mima-2024"


def credit_code(first17: str) -> str:
    return first17 + gb32100_check(first17)


def register_natural(**overrides):
    data = {
        "name": "张三",
        "id_number": make_id_number(4242),
        "mobile": "13800138000",
        "password": GOOD_PASSWORD,
    }
    data.update(overrides)
    return services.applicant_register_natural(**data)


# --- registration ---------------------------------------------------------------------------------


def test_register_natural_creates_user_and_applicant_with_id_number_as_login():
    number = make_id_number(4242)
    user = register_natural(id_number=number.lower())
    assert user.kind == UserKind.APPLICANT
    assert user.username == number
    assert user.check_password(GOOD_PASSWORD)
    applicant = user.applicant
    assert (applicant.kind, applicant.id_number, applicant.name, applicant.mobile) == (
        "natural",
        number,
        "张三",
        "13800138000",
    )
    assert AccountEvent.objects.filter(user=user, kind=AccountEventKind.REGISTERED).count() == 1


def test_register_natural_bad_checksum_names_the_field_and_writes_nothing():
    number = make_id_number(4242)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        register_natural(id_number=wrong)
    assert exc.value.field == "id_number"
    assert "身份证号码校验位不正确" in exc.value.message
    assert User.objects.count() == 0
    assert Applicant.objects.count() == 0


def test_register_natural_future_birth_date_refused():
    future = timezone.localdate() + dt.timedelta(days=30)
    first17 = f"110105{future:%Y%m%d}001"
    from tongban.common.tests.standards import gb11643_check

    with pytest.raises(ValidationFailed) as exc:
        register_natural(id_number=first17 + gb11643_check(first17))
    assert exc.value.errors["id_number"] == ["身份证号码中的出生日期不在合理范围内。"]
    assert User.objects.count() == 0


def test_register_reports_every_bad_field_at_once():
    with pytest.raises(ValidationFailed) as exc:
        register_natural(name="", id_number="123", mobile="12345", password="1")
    assert set(exc.value.errors) == {"name", "id_number", "mobile", "password"}
    assert exc.value.message.startswith("有 4 处填写有误")
    assert exc.value.errors["name"] == ["请填写姓名。"]
    assert all(m.startswith("密码：") for m in exc.value.errors["password"])


def test_register_natural_duplicate_refused():
    user = register_natural()
    with pytest.raises(Conflict) as exc:
        register_natural(name="张三", mobile="13900139000")
    assert exc.value.message == "该身份证号码已注册，请直接登录。"
    assert exc.value.field == "id_number"
    assert User.objects.count() == 1
    assert User.objects.get().pk == user.pk


def test_register_claims_walk_in_record_when_name_matches():
    walk_in = ApplicantFactory(name="李四")
    user = register_natural(name="李四", id_number=walk_in.id_number)
    walk_in.refresh_from_db()
    assert walk_in.user_id == user.pk
    assert Applicant.objects.count() == 1


def test_register_refuses_walk_in_record_with_other_name():
    walk_in = ApplicantFactory(name="李四")
    with pytest.raises(ValidationFailed) as exc:
        register_natural(name="李五", id_number=walk_in.id_number)
    assert exc.value.field == "name"
    assert User.objects.count() == 0
    walk_in.refresh_from_db()
    assert walk_in.user_id is None


def test_register_legal_accepts_credit_code_starting_with_letter():
    code = credit_code("N2110105MA0000001")
    assert code[0] == "N"
    user = services.applicant_register_legal(
        name="北京某某农民专业合作社",
        credit_code=code.lower(),
        legal_representative="王五",
        contact_name="赵六",
        contact_id_number=make_id_number(7),
        mobile="13700137000",
        password=GOOD_PASSWORD,
    )
    assert user.username == code
    assert user.applicant.kind == "legal"
    assert user.applicant.credit_code == code
    assert user.applicant.contact_name == "赵六"


def test_register_legal_bad_code_and_duplicates():
    with pytest.raises(ValidationFailed) as exc:
        services.applicant_register_legal(
            name="某公司",
            credit_code="91110105MA00000010",
            legal_representative="王五",
            contact_name="",
            mobile="13700137000",
            password=GOOD_PASSWORD,
        )
    assert set(exc.value.errors) >= {"credit_code", "contact_name"}
    existing = LegalApplicantFactory(registered=True)
    with pytest.raises(Conflict) as exc:
        services.applicant_register_legal(
            name=existing.name,
            credit_code=existing.credit_code,
            legal_representative="王五",
            contact_name="赵六",
            mobile="13700137000",
            password=GOOD_PASSWORD,
        )
    assert exc.value.message == "该统一社会信用代码已注册，请直接登录。"


# --- walk-in applicants ---------------------------------------------------------------------------


@pytest.fixture
def window_clerk():
    from tongban.organisations.tests.factories import HallFactory

    return StaffFactory.with_role(StaffRole.CLERK, hall=HallFactory())


def test_find_or_register_creates_then_finds(window_clerk):
    number = make_id_number(99)
    first, created = services.applicant_find_or_register(
        actor=window_clerk, kind="natural", name="王小二", id_number=number
    )
    assert created and first.user_id is None
    again, created = services.applicant_find_or_register(
        actor=window_clerk, kind="natural", name="王小二", id_number=number.lower(), mobile="13600136000"
    )
    assert not created and again.pk == first.pk
    assert again.mobile == "13600136000"  # blank field filled
    third, _ = services.applicant_find_or_register(
        actor=window_clerk, kind="natural", name="王小二", id_number=number, mobile="13500135000"
    )
    assert third.mobile == "13600136000"  # never overwritten
    assert Applicant.objects.count() == 1


def test_find_or_register_name_mismatch_masks_recorded_name(window_clerk):
    existing = ApplicantFactory(name="欧阳小锋")
    with pytest.raises(ValidationFailed) as exc:
        services.applicant_find_or_register(
            actor=window_clerk, kind="natural", name="欧阳大锋", id_number=existing.id_number
        )
    assert "欧**锋" in exc.value.message
    assert exc.value.field == "name"


def test_find_or_register_legal(window_clerk):
    code = credit_code("Y1110105MA0000009")
    applicant, created = services.applicant_find_or_register(
        actor=window_clerk, kind="legal", name="某某基金会", credit_code=code, contact_name="钱七"
    )
    assert created and applicant.credit_code == code
    assert applicant.contact_name == "钱七"


@pytest.mark.parametrize("role", [StaffRole.SUPERVISOR, StaffRole.APPROVER, StaffRole.ADMINISTRATOR, None])
def test_find_or_register_only_for_window_clerks(role):
    actor = StaffFactory.with_role(role) if role else ApplicantFactory(registered=True).user
    with pytest.raises(NotAllowed) as exc:
        services.applicant_find_or_register(
            actor=actor, kind="natural", name="王小二", id_number=make_id_number(98)
        )
    assert exc.value.message == "只有窗口人员可以登记申请人。"
    assert not Applicant.objects.filter(id_number=make_id_number(98)).exists()


# --- staff ----------------------------------------------------------------------------------------


def test_staff_create_with_assignments():
    dept = DepartmentFactory()
    hall = HallFactory()
    user = services.staff_create(
        username="zhangsan",
        name="张三",
        password=GOOD_PASSWORD,
        assignments=[
            services.AssignmentSpec(role=StaffRole.APPROVER, department_id=dept.pk),
            {"role": StaffRole.CLERK, "hall_id": hall.pk},
        ],
    )
    assert user.kind == UserKind.STAFF
    assert not user.is_staff
    assert set(user.assignments.values_list("role", flat=True)) == {"approver", "clerk"}


def test_staff_create_invalid_assignment_rolls_back():
    with pytest.raises(ValidationFailed) as exc:
        services.staff_create(
            username="lisi", name="李四", password=GOOD_PASSWORD, assignments=[{"role": StaffRole.APPROVER}]
        )
    assert "审批人员和部门负责人必须属于一个部门" in exc.value.message
    assert not User.objects.filter(username="lisi").exists()
    assert StaffAssignment.objects.count() == 0


def test_staff_create_admin_gets_admin_site():
    user = services.staff_create(
        username="admin1", name="管理员", password=GOOD_PASSWORD, assignments=[{"role": "admin"}]
    )
    assert user.is_staff and user.is_superuser


# --- login and lockout ----------------------------------------------------------------------------


def attempt(username, password):
    return services.login_attempt(identifier=username, password=password, ip="127.0.0.1")


def test_login_success_resets_failures():
    user = StaffFactory(username="clerk1")
    for _ in range(3):
        with pytest.raises(ValidationFailed):
            attempt("clerk1", "wrong")
    user.refresh_from_db()
    assert user.failed_login_count == 3
    assert attempt("clerk1", PASSWORD).pk == user.pk
    user.refresh_from_db()
    assert user.failed_login_count == 0
    assert user.last_login is not None


def test_failures_count_down_then_lock_and_refuse_right_password():
    StaffFactory(username="clerk1")
    messages = []
    with time_machine.travel(dt.datetime(2024, 5, 6, 10, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(4):
            with pytest.raises(ValidationFailed) as exc:
                attempt("clerk1", "wrong")
            messages.append(exc.value.message)
        with pytest.raises(services.AccountLocked) as locked:
            attempt("clerk1", "wrong")
        # 10:00 UTC = 18:00 Asia/Shanghai; locked for 15 minutes.
        assert locked.value.message == "账户已锁定，请于 18:15 后再试。"
        assert locked.value.status == 423
        assert locked.value.code == "account_locked"
        with pytest.raises(services.AccountLocked):
            attempt("clerk1", PASSWORD)
    assert messages == [f"用户名或密码错误，还可尝试 {n} 次。" for n in (4, 3, 2, 1)]
    user = User.objects.get(username="clerk1")
    assert user.locked_until == dt.datetime(2024, 5, 6, 10, 15, tzinfo=dt.UTC)
    assert AccountEvent.objects.filter(user=user, kind=AccountEventKind.LOCKED).count() == 1


def test_lock_expires_after_lock_minutes():
    StaffFactory(username="clerk1")
    start = dt.datetime(2024, 5, 6, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            with pytest.raises((ValidationFailed, services.AccountLocked)):
                attempt("clerk1", "wrong")
    with (
        time_machine.travel(start + dt.timedelta(minutes=14, seconds=59), tick=False),
        pytest.raises(services.AccountLocked),
    ):
        attempt("clerk1", PASSWORD)
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        user = attempt("clerk1", PASSWORD)
    assert user.locked_until is None
    assert user.failed_login_count == 0


def test_wrong_password_while_locked_does_not_extend_lock():
    user = StaffFactory(username="clerk1")
    start = dt.datetime(2024, 5, 6, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            with pytest.raises((ValidationFailed, services.AccountLocked)):
                attempt("clerk1", "wrong")
    with (
        time_machine.travel(start + dt.timedelta(minutes=10), tick=False),
        pytest.raises(services.AccountLocked),
    ):
        attempt("clerk1", "wrong")
    user.refresh_from_db()
    assert user.locked_until == start + dt.timedelta(minutes=15)


def test_lock_message_names_the_day_when_not_today():
    StaffFactory(username="clerk1")
    # 15:50 UTC = 23:50 in Shanghai: the lock ends tomorrow at 00:05.
    with time_machine.travel(dt.datetime(2024, 5, 6, 15, 50, tzinfo=dt.UTC), tick=False):
        for _ in range(4):
            with pytest.raises(ValidationFailed):
                attempt("clerk1", "wrong")
        with pytest.raises(services.AccountLocked) as exc:
            attempt("clerk1", "wrong")
    assert exc.value.message == "账户已锁定，请于 5月7日 00:05 后再试。"


def test_unknown_user_generic_message():
    with pytest.raises(ValidationFailed) as exc:
        attempt("nobody", "x")
    assert exc.value.message == "用户名或密码错误。"
    assert exc.value.code == "invalid_credentials"


def test_inactive_user_refused_with_right_password_only():
    StaffFactory(username="gone", is_active=False)
    with pytest.raises(ValidationFailed):
        attempt("gone", "wrong")
    with pytest.raises(NotAllowed) as exc:
        attempt("gone", PASSWORD)
    assert exc.value.code == "account_inactive"


def test_applicant_logs_in_with_lowercase_x_and_with_mobile():
    applicant = ApplicantFactory(registered=True, mobile="13812345678")
    assert attempt(applicant.id_number.lower(), PASSWORD).pk == applicant.user_id
    assert attempt("13812345678", PASSWORD).pk == applicant.user_id


def test_mobile_shared_by_two_accounts_is_ambiguous():
    ApplicantFactory(registered=True, mobile="13812345678")
    LegalApplicantFactory(registered=True, mobile="13812345678")
    with pytest.raises(ValidationFailed) as exc:
        attempt("13812345678", PASSWORD)
    assert exc.value.code == "ambiguous_mobile"


def test_unlock_clears_lock_and_logs_actor():
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    user = StaffFactory(username="clerk1", locked_until=timezone.now() + dt.timedelta(minutes=5))
    services.user_unlock(user_id=user.pk, by=admin)
    user.refresh_from_db()
    assert not user.is_locked
    event = AccountEvent.objects.get(user=user, kind=AccountEventKind.UNLOCKED)
    assert event.actor_id == admin.pk
    assert attempt("clerk1", PASSWORD).pk == user.pk


def test_token_issue_counts_failures_and_refuses_locked():
    user = StaffFactory(username="api1")
    token = services.auth_token_issue(identifier="api1", password=PASSWORD)
    assert token == services.auth_token_issue(identifier="api1", password=PASSWORD)
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            services.auth_token_issue(identifier="api1", password="bad")
    with pytest.raises(services.AccountLocked):
        services.auth_token_issue(identifier="api1", password="bad")
    with pytest.raises(services.AccountLocked):
        services.auth_token_issue(identifier="api1", password=PASSWORD)
    user.refresh_from_db()
    assert user.is_locked
