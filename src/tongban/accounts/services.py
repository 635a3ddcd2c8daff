"""Account writes: applicant registration, walk-in applicants, staff creation, logins with lockout, tokens.

Login names: a natural person logs in with the resident ID number, a legal person with the unified social
credit code (as on the provincial 政务服务网); both may also log in with their mobile number when exactly
one account carries it. Staff log in with the username an administrator gave them.

Lockout: LOGIN_MAX_FAILURES consecutive wrong passwords lock the account for LOGIN_LOCK_MINUTES. The
counter lives on the user row and is updated under `select_for_update`, so parallel guesses cannot slip
past the limit. A locked account is refused even with the right password, on the web and in the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.authtoken.models import Token

from tongban.common.choices import ApplicantKind
from tongban.common.errors import Conflict, NotAllowed, NotFound, ServiceError, ValidationFailed
from tongban.common.validators import (
    MOBILE_RE,
    mask_name,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)
from tongban.organisations import services as organisation_services
from tongban.organisations.choices import StaffRole

from .models import AccountEvent, AccountEventKind, Applicant, User, UserKind


class AccountLocked(ServiceError):
    """Too many wrong passwords: refused until `locked_until`, whatever the password."""

    status = 423
    code = "account_locked"

    def __init__(self, message: str, *, locked_until: dt.datetime):
        super().__init__(message)
        self.locked_until = locked_until

    def as_dict(self) -> dict:
        return {**super().as_dict(), "locked_until": self.locked_until.isoformat()}


@dataclass(frozen=True)
class AssignmentSpec:
    """One role for a new staff member (see StaffAssignment)."""

    role: str
    department_id: int | None = None
    hall_id: int | None = None
    window_id: int | None = None


@dataclass(frozen=True)
class LoginFailure:
    remaining: int
    locked_until: dt.datetime | None


# --- helpers -------------------------------------------------------------------------------------------


class _Errors:
    """Collects field errors so a form can show every problem at once, not one per submit."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def check(self, field: str, func: Callable[[Any], Any], value: Any) -> Any:
        try:
            return func(value)
        except DjangoValidationError as exc:
            for message in exc.messages:
                self.add(field, message)
            return value

    def required(self, field: str, value: str, label: str, max_length: int) -> str:
        value = (value or "").strip()
        if not value:
            self.add(field, _("请填写%(label)s。") % {"label": label})
        elif len(value) > max_length:
            self.add(field, _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": max_length})
        return value

    def raise_if_any(self) -> None:
        if not self.by_field:
            return
        first_field, first_messages = next(iter(self.by_field.items()))
        if len(self.by_field) == 1 and len(first_messages) == 1:
            raise ValidationFailed(first_messages[0], field=first_field, errors=self.by_field)
        summary = "；".join(messages[0] for messages in self.by_field.values())
        raise ValidationFailed(
            _("有 %(n)d 处填写有误：%(summary)s") % {"n": len(self.by_field), "summary": summary},
            field=first_field,
            errors=self.by_field,
        )


def _log(user: User, kind: str, *, actor: User | None = None, ip: str | None = None, **detail) -> None:
    AccountEvent.objects.create(user=user, kind=kind, actor=actor, ip=ip or None, detail=detail)


def _check_password(errors: _Errors, password: str, user: User) -> None:
    if not password:
        errors.add("password", _("请设置密码。"))
        return
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add("password", _("密码：%(reason)s") % {"reason": message})


def _optional_email(errors: _Errors, email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.add("email", _("电子邮箱格式不正确。"))
    return email


def _check_username_free(username: str, *, field: str, message: str) -> None:
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(message, code="already_registered", field=field)


# --- registration ----------------------------------------------------------------------------------------


def _natural_checked(*, name, id_number, mobile, password, email, username) -> tuple[_Errors, dict]:
    """Every field check of 个人注册, collected (nothing read from the database)."""
    errors = _Errors()
    values = {
        "name": errors.required("name", name, _("姓名"), 64),
        "number": errors.check("id_number", validate_id_number, id_number),
        "mobile": errors.check("mobile", validate_mobile, mobile),
        "email": _optional_email(errors, email),
    }
    values["login"] = (username or "").strip() or normalize_id_number(id_number)
    user = User(username=values["login"], display_name=values["name"], mobile=values["mobile"], email=email)
    _check_password(errors, password, user)
    return errors, values


# (column, form field, "already registered", "name disagrees") per kind; the messages are translated
# where they are used.
_TAKEN: dict[str, tuple[str, str, str, str]] = {
    ApplicantKind.NATURAL: (
        "id_number",
        "id_number",
        gettext_noop("该身份证号码已注册，请直接登录。"),
        gettext_noop("姓名与该身份证号码的登记信息不一致，请核对。"),
    ),
    ApplicantKind.LEGAL: (
        "credit_code",
        "credit_code",
        gettext_noop("该统一社会信用代码已注册，请直接登录。"),
        gettext_noop("单位名称与该统一社会信用代码的登记信息不一致，请核对。"),
    ),
}


def _identity_taken(
    kind: str, number: str, login: str, name: str, *, lock: bool = False
) -> tuple[str, str, Applicant | None]:
    """(field, message) when the ID number / credit code or the login is taken, or the name disagrees with
    a walk-in record of the number; ("", "") when registration may go ahead — and the walk-in record to
    claim. Read-only for the sign-up form's checks; `lock` inside the registering transaction."""
    column, field, taken, other_name = _TAKEN[kind]
    qs = Applicant.objects.filter(kind=kind, **{column: number})
    applicant = (qs.select_for_update() if lock else qs).first()
    if applicant is not None and applicant.user_id:
        return field, _(taken), applicant
    if User.objects.filter(username__iexact=login).exists():
        if login == number:
            return field, _(taken), applicant
        return "username", _("该用户名已被使用，请换一个。"), applicant
    if applicant is not None and applicant.name != name:
        return "name", _(other_name), applicant
    return "", "", applicant


def applicant_register_natural_problems(
    *, name: str, id_number: str, mobile: str, password: str, email: str = "", username: str | None = None
) -> dict[str, list[str]]:
    """Everything 个人注册 would refuse, by field, without writing: the sign-up form shows it all at once
    (the field checks, and whether the number is already registered) instead of one round per submit."""
    errors, values = _natural_checked(
        name=name, id_number=id_number, mobile=mobile, password=password, email=email, username=username
    )
    if "id_number" not in errors.by_field and values["number"]:
        field, message, _applicant = _identity_taken(
            ApplicantKind.NATURAL, values["number"], values["login"], values["name"]
        )
        if field:
            errors.add(field, message)
    return errors.by_field


def applicant_register_natural(
    *,
    name: str,
    id_number: str,
    mobile: str,
    password: str,
    email: str = "",
    username: str | None = None,
) -> User:
    """个人注册: a natural person's login and applicant profile, created together or not at all.

    A walk-in record made earlier by a clerk (same ID number, no login yet) is claimed instead of
    duplicated, provided the name matches the one on record.
    """
    errors, values = _natural_checked(
        name=name, id_number=id_number, mobile=mobile, password=password, email=email, username=username
    )
    errors.raise_if_any()
    name, number, mobile, email, login = (values[k] for k in ("name", "number", "mobile", "email", "login"))

    try:
        with transaction.atomic():
            field, message, applicant = _identity_taken(ApplicantKind.NATURAL, number, login, name, lock=True)
            if field == "name":
                raise ValidationFailed(message, field="name")
            if field:
                raise Conflict(message, code="already_registered", field=field)
            user = User.objects.create_user(
                username=login,
                password=password,
                email=email,
                kind=UserKind.APPLICANT,
                display_name=name,
                mobile=mobile,
            )
            if applicant is None:
                applicant = Applicant(kind=ApplicantKind.NATURAL, id_number=number, name=name)
            applicant.user = user
            applicant.mobile = mobile
            applicant.email = email or applicant.email
            applicant.save()
            _log(user, AccountEventKind.REGISTERED, applicant_kind=ApplicantKind.NATURAL)
    except IntegrityError:
        raise Conflict(
            _("该身份证号码已注册，请直接登录。"), code="already_registered", field="id_number"
        ) from None
    return user


def _legal_checked(
    *,
    name,
    credit_code,
    legal_representative,
    contact_name,
    mobile,
    password,
    contact_id_number,
    email,
    username,
) -> tuple[_Errors, dict]:
    """Every field check of 法人注册, collected (nothing read from the database)."""
    errors = _Errors()
    values = {
        "name": errors.required("name", name, _("单位名称"), 128),
        "code": errors.check("credit_code", validate_credit_code, credit_code),
        "legal_representative": errors.required(
            "legal_representative", legal_representative, _("法定代表人"), 64
        ),
        "contact_name": errors.required("contact_name", contact_name, _("联系人"), 64),
        "contact_id": "",
    }
    if (contact_id_number or "").strip():
        values["contact_id"] = errors.check("contact_id_number", validate_id_number, contact_id_number)
    values["mobile"] = errors.check("mobile", validate_mobile, mobile)
    values["email"] = _optional_email(errors, email)
    values["login"] = (username or "").strip() or (credit_code or "").strip().upper().replace(" ", "")
    user = User(username=values["login"], display_name=values["name"], mobile=values["mobile"], email=email)
    _check_password(errors, password, user)
    return errors, values


def applicant_register_legal_problems(
    *,
    name: str,
    credit_code: str,
    legal_representative: str,
    contact_name: str,
    mobile: str,
    password: str,
    contact_id_number: str = "",
    email: str = "",
    username: str | None = None,
) -> dict[str, list[str]]:
    """Everything 法人注册 would refuse, by field, without writing (see the natural person's)."""
    errors, values = _legal_checked(
        name=name,
        credit_code=credit_code,
        legal_representative=legal_representative,
        contact_name=contact_name,
        mobile=mobile,
        password=password,
        contact_id_number=contact_id_number,
        email=email,
        username=username,
    )
    if "credit_code" not in errors.by_field and values["code"]:
        field, message, _applicant = _identity_taken(
            ApplicantKind.LEGAL, values["code"], values["login"], values["name"]
        )
        if field:
            errors.add(field, message)
    return errors.by_field


def applicant_register_legal(
    *,
    name: str,
    credit_code: str,
    legal_representative: str,
    contact_name: str,
    mobile: str,
    password: str,
    contact_id_number: str = "",
    email: str = "",
    username: str | None = None,
) -> User:
    """法人注册: an enterprise or institution's login (the credit code) with its contact person."""
    errors, values = _legal_checked(
        name=name,
        credit_code=credit_code,
        legal_representative=legal_representative,
        contact_name=contact_name,
        mobile=mobile,
        password=password,
        contact_id_number=contact_id_number,
        email=email,
        username=username,
    )
    errors.raise_if_any()
    name, code, login = values["name"], values["code"], values["login"]

    try:
        with transaction.atomic():
            field, message, applicant = _identity_taken(ApplicantKind.LEGAL, code, login, name, lock=True)
            if field == "name":
                raise ValidationFailed(message, field="name")
            if field:
                raise Conflict(message, code="already_registered", field=field)
            user = User.objects.create_user(
                username=login,
                password=password,
                email=values["email"],
                kind=UserKind.APPLICANT,
                display_name=name,
                mobile=values["mobile"],
            )
            if applicant is None:
                applicant = Applicant(kind=ApplicantKind.LEGAL, credit_code=code, name=name)
            applicant.user = user
            applicant.legal_representative = values["legal_representative"]
            applicant.contact_name = values["contact_name"]
            applicant.contact_id_number = values["contact_id"]
            applicant.mobile = values["mobile"]
            applicant.email = values["email"] or applicant.email
            applicant.save()
            _log(user, AccountEventKind.REGISTERED, applicant_kind=ApplicantKind.LEGAL)
    except IntegrityError:
        raise Conflict(
            _("该统一社会信用代码已注册，请直接登录。"), code="already_registered", field="credit_code"
        ) from None
    return user


def applicant_find_or_register(
    *,
    actor: User,
    kind: str,
    name: str,
    id_number: str = "",
    credit_code: str = "",
    mobile: str = "",
    legal_representative: str = "",
    contact_name: str = "",
    contact_id_number: str = "",
    address: str = "",
    email: str = "",
) -> tuple[Applicant, bool]:
    """For window intake: the applicant with this ID number / credit code, created if new (no login);
    returns it and whether it was created. Only a window clerk may (the web form and the API alike).

    The name must match the record (the clerk has the certificate in hand, so a mismatch is a typo or a
    wrong card). Empty contact fields of an existing record are filled in; nothing is overwritten.
    """
    from tongban.organisations.scoping import scope_for

    if not scope_for(actor).is_window_clerk:
        raise NotAllowed(_("只有窗口人员可以登记申请人。"))
    errors = _Errors()
    if kind not in ApplicantKind.values:
        errors.add("kind", _("申请人类型应为自然人或法人。"))
        errors.raise_if_any()
    label = _("姓名") if kind == ApplicantKind.NATURAL else _("单位名称")
    name = errors.required("name", name, label, 128)
    if kind == ApplicantKind.NATURAL:
        number = errors.check("id_number", validate_id_number, id_number)
        lookup = {"kind": kind, "id_number": number}
    else:
        number = errors.check("credit_code", validate_credit_code, credit_code)
        lookup = {"kind": kind, "credit_code": number}
        legal_representative = (legal_representative or "").strip()
        contact_name = (contact_name or "").strip()
    if (mobile or "").strip():
        mobile = errors.check("mobile", validate_mobile, mobile)
    if (contact_id_number or "").strip():
        contact_id_number = errors.check("contact_id_number", validate_id_number, contact_id_number)
    email = _optional_email(errors, email)
    errors.raise_if_any()

    fill = {
        "mobile": mobile,
        "legal_representative": legal_representative,
        "contact_name": contact_name,
        "contact_id_number": contact_id_number,
        "address": (address or "").strip(),
        "email": email,
    }
    fill = {k: v for k, v in fill.items() if v}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                applicant = Applicant.objects.select_for_update().filter(**lookup).first()
                if applicant is None:
                    return Applicant.objects.create(name=name, **lookup, **fill), True
                if applicant.name != name:
                    raise ValidationFailed(
                        _("%(label)s与已登记的信息不一致（已登记：%(masked)s），请核对证件。")
                        % {"label": label, "masked": mask_name(applicant.name)},
                        field="name",
                    )
                changed = [k for k, v in fill.items() if not getattr(applicant, k)]
                for k in changed:
                    setattr(applicant, k, fill[k])
                if changed:
                    applicant.save(update_fields=[*changed, "updated_at"])
                return applicant, False
        except IntegrityError:
            continue  # created by a parallel intake in between: read it on the second pass
    raise Conflict(_("申请人信息正在被同时登记，请重试。"))


# --- staff -----------------------------------------------------------------------------------------------


def staff_create(
    *,
    username: str,
    name: str,
    password: str,
    assignments: Iterable[AssignmentSpec | Mapping],
    mobile: str = "",
    email: str = "",
    by: User | None = None,
) -> User:
    """A staff login with its roles. Administrators also get the Django admin (is_staff, superuser)."""
    errors = _Errors()
    username = errors.required("username", username, _("用户名"), 150)
    name = errors.required("name", name, _("姓名"), 64)
    if (mobile or "").strip():
        mobile = errors.check("mobile", validate_mobile, mobile)
    email = _optional_email(errors, email)
    _check_password(errors, password, User(username=username, display_name=name, email=email))
    specs = [a if isinstance(a, AssignmentSpec) else AssignmentSpec(**a) for a in assignments]
    for spec in specs:
        if spec.role not in StaffRole.values:
            errors.add("assignments", _("未知的角色：%(role)s。") % {"role": spec.role})
    errors.raise_if_any()
    is_admin = any(s.role == StaffRole.ADMINISTRATOR for s in specs)

    try:
        with transaction.atomic():
            _check_username_free(username, field="username", message=_("该用户名已被使用，请换一个。"))
            user = User.objects.create_user(
                username=username,
                password=password,
                email=email,
                kind=UserKind.STAFF,
                display_name=name,
                mobile=mobile,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            for spec in specs:
                # Each role through the organisation's grant service, so it is logged like any other grant.
                try:
                    organisation_services.staff_role_grant(
                        actor=by,
                        user_id=user.pk,
                        role=spec.role,
                        department_id=spec.department_id,
                        hall_id=spec.hall_id,
                        window_id=spec.window_id,
                    )
                except ValidationFailed as exc:
                    raise ValidationFailed(exc.message, field="assignments", errors=exc.errors) from None
            _log(user, AccountEventKind.STAFF_CREATED, actor=by, roles=[s.role for s in specs])
    except IntegrityError:
        raise Conflict(_("该用户名已被使用，请换一个。"), field="username") from None
    return user


# --- login, lockout, tokens ---------------------------------------------------------------------------------


def _resolve_user_id(identifier: str) -> int | None:
    """Username as typed, then upper-cased (ID numbers end in X, codes are upper case), then mobile."""
    ident = (identifier or "").strip()
    if not ident:
        return None
    for candidate in dict.fromkeys([ident, ident.upper().replace(" ", "")]):
        pk = User.objects.filter(username=candidate).values_list("pk", flat=True).first()
        if pk is not None:
            return pk
    if MOBILE_RE.fullmatch(ident):
        pks = list(User.objects.filter(mobile=ident, is_active=True).values_list("pk", flat=True)[:2])
        if len(pks) == 1:
            return pks[0]
        if len(pks) > 1:
            raise ValidationFailed(
                _("该手机号码关联多个账户，请使用用户名、身份证号码或统一社会信用代码登录。"),
                code="ambiguous_mobile",
                field="username",
            )
    return None


def _locked_message(locked_until: dt.datetime) -> str:
    local = timezone.localtime(locked_until)
    when = local.strftime("%H:%M")
    if local.date() != timezone.localdate():
        when = f"{local.month}月{local.day}日 {when}"
    return _("账户已锁定，请于 %(when)s 后再试。") % {"when": when}


def login_failed(*, user_id: int, ip: str | None = None) -> LoginFailure:
    """Count one wrong password; the LOGIN_MAX_FAILURES-th in a row locks the account."""
    max_failures = settings.LOGIN_MAX_FAILURES
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        now = timezone.now()
        if user.locked_until and user.locked_until > now:
            return LoginFailure(remaining=0, locked_until=user.locked_until)
        user.failed_login_count += 1
        _log(user, AccountEventKind.LOGIN_FAILED, ip=ip, count=user.failed_login_count)
        if user.failed_login_count >= max_failures:
            # The count restarts after the lock, so the next period again allows max_failures tries.
            user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            user.failed_login_count = 0
            user.save(update_fields=["failed_login_count", "locked_until"])
            _log(user, AccountEventKind.LOCKED, ip=ip, until=user.locked_until.isoformat())
            return LoginFailure(remaining=0, locked_until=user.locked_until)
        user.save(update_fields=["failed_login_count"])
        return LoginFailure(remaining=max_failures - user.failed_login_count, locked_until=None)


def login_succeeded(*, user_id: int, ip: str | None = None) -> User:
    """Reset the failure count and clear an expired lock; record the login."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        user.failed_login_count = 0
        user.locked_until = None
        user.last_login = timezone.now()
        user.save(update_fields=["failed_login_count", "locked_until", "last_login"])
        _log(user, AccountEventKind.LOGIN_SUCCEEDED, ip=ip)
    return user


def login_attempt(*, identifier: str, password: str, ip: str | None = None) -> User:
    """Check a username (or ID number, credit code, mobile) and password; count failures; lock.

    Returns the user on success. Raises ValidationFailed("invalid_credentials") with the number of
    tries left, AccountLocked while locked (even for the right password), NotAllowed if deactivated.
    The failure count is committed before the error is raised.
    """
    user_id = _resolve_user_id(identifier)
    if user_id is None:
        User().set_password(password)  # same hashing time as a known user: no username probing by timing
        raise ValidationFailed(_("用户名或密码错误。"), code="invalid_credentials")
    failure: LoginFailure | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.is_locked:
            failure = LoginFailure(remaining=0, locked_until=user.locked_until)
        elif not user.check_password(password):
            failure = login_failed(user_id=user_id, ip=ip)
        elif not user.is_active:
            raise NotAllowed(_("账户已停用，请联系管理员。"), code="account_inactive")
        else:
            user = login_succeeded(user_id=user_id, ip=ip)
    if failure is None:
        return user
    if failure.locked_until is not None:
        raise AccountLocked(_locked_message(failure.locked_until), locked_until=failure.locked_until)
    raise ValidationFailed(
        _("用户名或密码错误，还可尝试 %(n)d 次。") % {"n": failure.remaining}, code="invalid_credentials"
    )


def user_unlock(*, user_id: int, by: User | None = None) -> User:
    """Lift a lock before it expires (an administrator, after checking who is asking)."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("用户不存在。"))
        was_locked = user.is_locked
        user.failed_login_count = 0
        user.locked_until = None
        user.save(update_fields=["failed_login_count", "locked_until"])
        _log(user, AccountEventKind.UNLOCKED, actor=by, was_locked=was_locked)
    return user


def auth_token_issue(*, identifier: str, password: str, ip: str | None = None) -> str:
    """The API token of a user, after the same checks and counting as the login form."""
    user = login_attempt(identifier=identifier, password=password, ip=ip)
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        if created:
            _log(user, AccountEventKind.TOKEN_ISSUED, ip=ip)
    return token.key
