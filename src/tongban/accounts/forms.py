"""Forms parse input only; the checks that matter live in accounts.services (one place for web and API)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.common.errors import ServiceError

from . import services


class BootstrapMixin:
    """Bootstrap classes, and `aria-invalid` on fields with errors so screen readers announce them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)
            # "请填写姓名。" rather than Django's "该字段是必填项。": the message names its field
            label = str(field.label or "").removesuffix("（选填）")
            field.error_messages["required"] = _("请填写%(label)s。") % {"label": label}

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"

    @property
    def error_summary(self) -> list[tuple[str, str, str]]:
        """(input id, label, message) of every field error, for the list at the top of the form."""
        return [
            (f.id_for_label, str(f.label), str(e) if str(e).startswith(str(f.label)) else f"{f.label}：{e}")
            for f in self
            for e in f.errors
        ]

    def add_service_error(self, exc: ServiceError, *, field_map: dict[str, str] | None = None) -> None:
        """Put a service's field errors under the matching inputs, anything else at the top."""
        field_map = field_map or {}
        by_field = exc.errors if isinstance(exc.errors, dict) else {exc.field: [exc.message]}
        for field, messages in by_field.items():
            target = field_map.get(field, field)
            self.add_error(target if target in self.fields else None, list(messages))
        self._mark_invalid()


class LoginForm(BootstrapMixin, forms.Form):
    """One login form for staff and applicants (the login name decides who it is)."""

    username = forms.CharField(
        label=_("账号"),
        max_length=150,
        help_text=_("工作人员填用户名；个人填身份证号码，法人填统一社会信用代码；也可填注册手机号码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            ip = self.request.META.get("REMOTE_ADDR") if self.request else None
            try:
                self.user_cache = services.login_attempt(identifier=username, password=password, ip=ip)
            except ServiceError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return cleaned

    def get_user(self):
        return self.user_cache


class _RegisterBase(BootstrapMixin, forms.Form):
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少 8 位，不能全是数字，不能过于常见。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    field_map = {"password": "password1"}
    # Fields shown two to a row on wider screens (one per row on a phone).
    half_width = ("password1", "password2", "mobile", "email", "legal_representative", "contact_name")

    def clean(self):
        """Every problem at once: the form's own checks, then whatever registration would refuse (ID
        number, mobile, password strength, already registered) for the fields still without an error."""
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        for field, messages in self.problems(**self.raw_kwargs()).items():
            target = self.field_map.get(field, field)
            if target not in self.fields:
                target = None
            if target is None or not self.has_error(target):
                self.add_error(target, list(messages))
        return cleaned

    def raw_kwargs(self) -> dict:
        """The service's arguments from the submitted text, valid or not."""
        raw = {name: str(self.data.get(name, "")) for name in self.fields}
        raw["password"] = raw.pop("password1")
        raw.pop("password2")
        return raw

    @staticmethod
    def problems(**kwargs) -> dict[str, list[str]]:
        raise NotImplementedError


class NaturalRegisterForm(_RegisterBase):
    """个人注册."""

    name = forms.CharField(
        label=_("姓名"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=20,
        help_text=_("18 位居民身份证号码，注册后作为登录账号。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱（选填）"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    field_order = ["name", "id_number", "mobile", "email", "password1", "password2"]
    problems = staticmethod(services.applicant_register_natural_problems)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "id_number": data["id_number"],
            "mobile": data["mobile"],
            "email": data.get("email") or "",
            "password": data["password1"],
        }


class LegalRegisterForm(_RegisterBase):
    """法人注册."""

    name = forms.CharField(
        label=_("单位名称"), max_length=128, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=20,
        help_text=_("18 位，见营业执照或登记证书，注册后作为登录账号。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64)
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    contact_id_number = forms.CharField(
        label=_("联系人身份证号码（选填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    mobile = forms.CharField(
        label=_("联系人手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱（选填）"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    field_order = [
        "name",
        "credit_code",
        "legal_representative",
        "contact_name",
        "contact_id_number",
        "mobile",
        "email",
        "password1",
        "password2",
    ]
    problems = staticmethod(services.applicant_register_legal_problems)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "credit_code": data["credit_code"],
            "legal_representative": data["legal_representative"],
            "contact_name": data["contact_name"],
            "contact_id_number": data.get("contact_id_number") or "",
            "mobile": data["mobile"],
            "email": data.get("email") or "",
            "password": data["password1"],
        }
