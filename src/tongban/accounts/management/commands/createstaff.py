"""`tongban createstaff --username admin --name 管理员 --role admin`: first administrator, demo staff."""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from tongban.accounts import services
from tongban.common.errors import ServiceError
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import Department, ServiceHall


class Command(BaseCommand):
    help = "创建工作人员账户（含角色）。密码取自 --password、环境变量 TONGBAN_STAFF_PASSWORD 或交互输入。"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--role", required=True, choices=StaffRole.values)
        parser.add_argument("--department", help="部门统一社会信用代码或简称（审批人员、部门负责人必填）")
        parser.add_argument("--hall", help="大厅编码（窗口人员必填）")
        parser.add_argument("--password")
        parser.add_argument("--mobile", default="")

    def handle(self, *args, **opts):
        password = opts["password"] or os.environ.get("TONGBAN_STAFF_PASSWORD")
        if not password:
            password = getpass.getpass("密码：")
        department_id = hall_id = None
        if opts["department"]:
            dept = (
                Department.objects.filter(credit_code=opts["department"].upper()).first()
                or Department.objects.filter(short_name=opts["department"]).first()
            )
            if dept is None:
                raise CommandError(f"找不到部门：{opts['department']}")
            department_id = dept.pk
        if opts["hall"]:
            hall = ServiceHall.objects.filter(code=opts["hall"]).first()
            if hall is None:
                raise CommandError(f"找不到大厅：{opts['hall']}")
            hall_id = hall.pk
        try:
            user = services.staff_create(
                username=opts["username"],
                name=opts["name"],
                password=password,
                mobile=opts["mobile"],
                assignments=[
                    services.AssignmentSpec(role=opts["role"], department_id=department_id, hall_id=hall_id)
                ],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"已创建工作人员 {user.username}（{StaffRole(opts['role']).label}）")
        )
