"""API shapes for accounts. Serializers parse and present; services decide."""

from __future__ import annotations

from rest_framework import serializers

from tongban.common.validators import mask_id_number

from .selectors import UserProfile


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(
        label="账号", max_length=150, help_text="用户名、身份证号码、统一社会信用代码或注册手机号码"
    )
    password = serializers.CharField(label="密码", max_length=128, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="在请求头中使用：Authorization: Token <token>")


class NaturalRegisterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("natural", "自然人")])
    name = serializers.CharField(label="姓名", max_length=64)
    id_number = serializers.CharField(label="身份证号码", max_length=20)
    mobile = serializers.CharField(label="手机号码", max_length=20)
    email = serializers.CharField(
        label="电子邮箱", max_length=254, required=False, allow_blank=True, default=""
    )
    password = serializers.CharField(label="密码", max_length=128, style={"input_type": "password"})


class LegalRegisterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("legal", "法人")])
    name = serializers.CharField(label="单位名称", max_length=128)
    credit_code = serializers.CharField(label="统一社会信用代码", max_length=20)
    legal_representative = serializers.CharField(label="法定代表人", max_length=64)
    contact_name = serializers.CharField(label="联系人", max_length=64)
    contact_id_number = serializers.CharField(
        label="联系人身份证号码", max_length=20, required=False, allow_blank=True, default=""
    )
    mobile = serializers.CharField(label="联系人手机号码", max_length=20)
    email = serializers.CharField(
        label="电子邮箱", max_length=254, required=False, allow_blank=True, default=""
    )
    password = serializers.CharField(label="密码", max_length=128, style={"input_type": "password"})


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssignmentBriefSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    department_id = serializers.IntegerField(allow_null=True)
    hall_id = serializers.IntegerField(allow_null=True)
    window_id = serializers.IntegerField(allow_null=True)


class ApplicantProfileSerializer(serializers.Serializer):
    """Own profile; the ID numbers are masked even here, since tokens end up in logs and scripts."""

    kind = serializers.CharField()
    name = serializers.CharField()
    id_number_masked = serializers.SerializerMethodField()
    credit_code = serializers.CharField()
    legal_representative = serializers.CharField()
    contact_name = serializers.CharField()
    mobile = serializers.CharField()
    email = serializers.CharField()

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    kind = serializers.CharField(source="user.kind", help_text="staff（工作人员）或 applicant（申请人）")
    roles = serializers.ListField(child=serializers.CharField())
    departments = NamedRefSerializer(many=True)
    halls = NamedRefSerializer(many=True)
    assignments = AssignmentBriefSerializer(many=True)
    applicant = ApplicantProfileSerializer(allow_null=True)

    @classmethod
    def of(cls, profile: UserProfile) -> dict:
        return cls(profile).data


class CountSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="菜单项，如 notifications:inbox、ratings:mine、cases:my-cases")
    url = serializers.CharField(help_text="对应页面的站内地址")
    phrase = serializers.CharField(help_text="计数的含义，如“条未读消息”")
    count = serializers.IntegerField(source="n")


class CountsSerializer(serializers.Serializer):
    """Counts where people look for them (common.badges): only those above zero."""

    counts = CountSerializer(many=True)
