"""Admin for users, applicants and the account log, in Chinese. Creation and unlock go through services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.common.adminforms import ServiceRefusalAdminMixin
from tongban.common.errors import ServiceError
from tongban.common.validators import mask_id_number
from tongban.organisations import admin as organisation_admin
from tongban.organisations import selectors as organisation_selectors
from tongban.organisations.choices import OrganisationSubject
from tongban.organisations.models import StaffAssignment

from . import services
from .models import AccountEvent, Applicant, User


class AdminLoginForm(AdminAuthenticationForm):
    """The admin login counts failures and honours locks exactly like the public login form."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            ip = self.request.META.get("REMOTE_ADDR") if self.request else None
            try:
                self.user_cache = services.login_attempt(identifier=username, password=password, ip=ip)
            except ServiceError as exc:
                raise ValidationError(exc.message, code=exc.code) from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = AdminLoginForm


class StaffCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "mobile", "email")


class StaffChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class StaffAssignmentInline(admin.TabularInline):
    model = StaffAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "department", "hall", "window")
    autocomplete_fields = ("department", "hall", "window")
    verbose_name = "岗位角色"
    verbose_name_plural = "岗位角色（部门和/或大厅）"


@admin.register(User)
class UserAdmin(ServiceRefusalAdminMixin, DjangoUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    inlines = [StaffAssignmentInline]
    list_display = (
        "username",
        "display_name",
        "kind",
        "roles",
        "is_active",
        "lock_status",
        "last_login",
    )
    list_filter = ("kind", "is_active", "is_staff", "assignments__role")
    search_fields = ("username", "display_name", "mobile", "email")
    ordering = ("username",)
    readonly_fields = ("failed_login_count", "locked_until", "last_login", "date_joined", "role_log")
    actions = ["unlock_users"]
    fieldsets = (
        (None, {"fields": ("username", "password", "kind")}),
        (_("个人信息"), {"fields": ("display_name", "mobile", "email")}),
        (_("登录安全"), {"fields": ("is_active", "failed_login_count", "locked_until")}),
        (
            _("后台权限"),
            {
                "classes": ("collapse",),
                "fields": ("is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
        (_("岗位角色变更记录"), {"fields": ("role_log",)}),
    )
    add_fieldsets = (
        (
            _("新建工作人员账户（保存后在下方添加岗位角色）"),
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "mobile", "email", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("assignments")

    @admin.display(description="角色")
    def roles(self, obj: User) -> str:
        return "、".join(sorted({a.get_role_display() for a in obj.assignments.all()})) or "—"

    @admin.display(description="岗位角色变更")
    def role_log(self, obj: User) -> str:
        """Who granted or revoked which role of this person, where and when (written by the services)."""
        return organisation_admin.event_log(
            organisation_selectors.staff_role_events(user_id=obj.pk),
            organisation_admin.event_list_url(
                subject_type=OrganisationSubject.STAFF_ROLE, user__id__exact=obj.pk
            ),
        )

    @admin.display(description="锁定状态")
    def lock_status(self, obj: User) -> str:
        if obj.is_locked:
            return f"已锁定至 {timezone.localtime(obj.locked_until):%m-%d %H:%M}"
        return "正常"

    @admin.action(description="解除所选账户的锁定")
    def unlock_users(self, request, queryset):
        count = 0
        for user_id in queryset.values_list("pk", flat=True):
            services.user_unlock(user_id=user_id, by=request.user)
            count += 1
        self.message_user(request, f"已解除 {count} 个账户的锁定。", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        """New accounts are created by services.staff_create (validation, audit log); edits save normally."""
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = services.staff_create(
            username=data["username"],
            name=data.get("display_name") or "",
            password=data["password1"],
            mobile=data.get("mobile") or "",
            email=data.get("email") or "",
            assignments=[],
            by=request.user,
        )
        # The admin goes on to save the inlines against `obj`: make it the row the service created.
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        """Role rows are granted, changed and revoked through the organisation's services (logged)."""
        if formset.model is StaffAssignment:
            return organisation_admin.save_formset(request, formset)
        return super().save_formset(request, form, formset, change)


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "masked_identity", "contact_name", "mobile", "has_login", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "=id_number", "=credit_code", "mobile", "contact_name")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("kind", "name", "id_number", "credit_code", "user")}),
        (_("法人信息"), {"fields": ("legal_representative", "contact_name", "contact_id_number")}),
        (_("联系方式"), {"fields": ("mobile", "email", "address")}),
        (_("时间"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="证件号码")
    def masked_identity(self, obj: Applicant) -> str:
        return mask_id_number(obj.id_number) if obj.kind == "natural" else obj.credit_code

    @admin.display(description="已注册账户", boolean=True)
    def has_login(self, obj: Applicant) -> bool:
        return obj.user_id is not None


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """Append-only: nobody edits or deletes the audit log from the admin."""

    list_display = ("at", "user", "kind", "actor", "ip")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__display_name", "ip")
    date_hierarchy = "at"
    list_select_related = ("user", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
