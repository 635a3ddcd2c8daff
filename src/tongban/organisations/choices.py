from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "区县"
    STREET = "street", "街道/乡镇"
    COMMUNITY = "community", "社区/村居"


class HallLevel(models.TextChoices):
    DISTRICT = "district", "区级政务服务中心"
    STREET = "street", "街道便民服务中心"
    COMMUNITY = "community", "社区便民服务站"


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合受理窗口"
    ISSUANCE = "issuance", "出件窗口"
    CONSULTATION = "consultation", "咨询导办台"
    DEPARTMENT = "department", "部门专窗"


class StaffRole(models.TextChoices):
    CLERK = "clerk", "窗口人员"
    APPROVER = "approver", "审批人员"
    DEPARTMENT_HEAD = "dept_head", "部门负责人"
    SUPERVISOR = "supervisor", "监察人员"
    HOTLINE_OPERATOR = "hotline", "话务员"
    ADMINISTRATOR = "admin", "管理员"

    @classmethod
    def department_roles(cls) -> set[str]:
        return set(DEPARTMENT_ROLES)


# The role groups, defined here once (tests/test_permission_vocabulary.py checks no app re-declares them);
# the predicates built on them are `Scope`'s properties and `organisations.permissions`.
#: Approvers and heads act for their department (审批部门); a step may name one of them.
DEPARTMENT_ROLES: tuple[str, ...] = (StaffRole.APPROVER, StaffRole.DEPARTMENT_HEAD)
#: Supervisors and administrators oversee everything and see every row (电子监察).
OVERSIGHT_ROLES: tuple[str, ...] = (StaffRole.SUPERVISOR, StaffRole.ADMINISTRATOR)


def department_roles_for(role: str = "") -> tuple[str, ...]:
    """The role a step names, or both department roles when it names none (anyone of the department)."""
    return (role,) if role else DEPARTMENT_ROLES


class OrganisationSubject(models.TextChoices):
    """What an organisation event is about."""

    REGION = "region", "行政区划"
    DEPARTMENT = "department", "部门"
    HALL = "hall", "服务大厅"
    WINDOW = "window", "窗口"
    STAFF_ROLE = "staff_role", "人员角色"


class OrganisationEventKind(models.TextChoices):
    CREATED = "created", "新建"
    CHANGED = "changed", "修改"
    DEACTIVATED = "deactivated", "停用"
    ACTIVATED = "activated", "启用"
    DELETED = "deleted", "删除"
    ROLE_GRANTED = "role_granted", "授予角色"
    ROLE_CHANGED = "role_changed", "变更角色"
    ROLE_REVOKED = "role_revoked", "撤销角色"
