"""API shapes of supervision: output serializers for reads, input serializers that only parse."""

from __future__ import annotations

from rest_framework import serializers

from tongban.api.serializers import ErrorSerializer  # noqa: F401  (re-exported: one error shape for the API)
from tongban.common.errors import MAX_ID

from .cardrules import rule_summary
from .choices import CardColor, CardTarget, CardTrigger, Level, RuleSubject, SubjectType
from .models import (
    Card,
    CardEvent,
    CardRule,
    CardRuleEvent,
    Deadline,
    Directive,
    DirectiveEvent,
    WarningEvent,
)


class WarningEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = WarningEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "step",
            "due_date",
            "level_before",
            "level_after",
            "overdue_days",
            "actor",
            "note",
            "at",
        ]
        read_only_fields = fields


class DeadlineSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    subject_type_display = serializers.CharField(source="get_subject_type_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    hall_name = serializers.CharField(source="hall.name", read_only=True, default=None)

    class Meta:
        model = Deadline
        fields = [
            "id",
            "subject_type",
            "subject_type_display",
            "subject_id",
            "reference",
            "title",
            "department",
            "department_name",
            "assignee",
            "hall",
            "hall_name",
            "item_code",
            "started_on",
            "due_date",
            "limit_days",
            "extension_days",
            "paused",
            "level",
            "level_display",
            "yellow_on",
            "red_on",
            "escalation_level",
            "next_escalation_on",
            "status",
            "closed_on",
            "closed_on_time",
        ]
        read_only_fields = fields


class DeadlineDetailSerializer(DeadlineSerializer):
    events = WarningEventSerializer(many=True, read_only=True)

    class Meta(DeadlineSerializer.Meta):
        fields = [*DeadlineSerializer.Meta.fields, "events"]
        read_only_fields = fields


class DeadlineFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    department = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    hall = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    subject_type = serializers.ChoiceField(choices=SubjectType.choices, required=False)
    ordering = serializers.ChoiceField(
        choices=["urgency", "due_date", "-due_date", "department", "opened"], required=False
    )


class RemindInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class SupervisionCountRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    total = serializers.IntegerField()
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()


class SupervisionCountsSerializer(serializers.Serializer):
    by_level = serializers.DictField(child=serializers.IntegerField())
    by_department = SupervisionCountRowSerializer(many=True)
    by_hall = SupervisionCountRowSerializer(many=True)


class DirectiveEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = DirectiveEvent
        fields = ["id", "kind", "kind_display", "from_status", "to_status", "actor", "note", "at"]
        read_only_fields = fields


class DirectiveSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    case_id = serializers.IntegerField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Directive
        fields = [
            "id",
            "number",
            "subject_type",
            "subject_id",
            "subject_label",
            "case_number",
            "case_id",
            "department",
            "department_name",
            "title",
            "required_action",
            "response_days",
            "due_date",
            "status",
            "status_display",
            "round",
            "previous",
            "issued_by",
            "issued_on",
            "response",
            "responded_by",
            "responded_on",
            "responded_on_time",
            "closed_by",
            "closed_on",
            "close_note",
        ]
        read_only_fields = fields


class DirectiveDetailSerializer(DirectiveSerializer):
    events = DirectiveEventSerializer(many=True, read_only=True)

    class Meta(DirectiveSerializer.Meta):
        fields = [*DirectiveSerializer.Meta.fields, "events"]
        read_only_fields = fields


class DirectiveIssueSerializer(serializers.Serializer):
    subject_type = serializers.ChoiceField(
        choices=[SubjectType.CASE, SubjectType.STEP, SubjectType.DEPARTMENT, SubjectType.WORKORDER]
    )
    case_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="办件编号（督办办件或其环节时），如 440106-20261123-000123，可不带连字符。",
    )
    subject_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="督办对象编号：环节 ID（办件有多个正在办理的环节时必填）、部门 ID；办件可用 case_number。",
    )
    department = serializers.IntegerField(required=False, min_value=1)
    title = serializers.CharField(max_length=200)
    required_action = serializers.CharField()
    response_days = serializers.IntegerField(min_value=1, max_value=30)


class DirectiveRespondSerializer(serializers.Serializer):
    response = serializers.CharField()


class DirectiveCloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class DirectiveReissueSerializer(serializers.Serializer):
    note = serializers.CharField()
    required_action = serializers.CharField(required=False, allow_blank=True)
    response_days = serializers.IntegerField(required=False, min_value=1, max_value=30)


class DirectiveResponseRateSerializer(serializers.Serializer):
    department_id = serializers.IntegerField()
    department = serializers.CharField()
    issued = serializers.IntegerField()
    responded = serializers.IntegerField()
    responded_on_time = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)


class CardEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CardEvent
        fields = ["id", "kind", "kind_display", "from_status", "to_status", "actor", "note", "at"]
        read_only_fields = fields


class CardSerializer(serializers.ModelSerializer):
    color_display = serializers.CharField(source="get_color_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    staff_name = serializers.CharField(source="staff", read_only=True, default=None)
    rule_name = serializers.CharField(source="rule.name", read_only=True, default=None)
    issued_by_name = serializers.CharField(source="issued_by", read_only=True, default=None)
    directive_number = serializers.CharField(source="directive.number", read_only=True, default=None)
    source = serializers.SerializerMethodField(help_text="出示依据：规则名称，或人工出示人。")

    class Meta:
        model = Card
        fields = [
            "id",
            "color",
            "color_display",
            "department",
            "department_name",
            "staff",
            "staff_name",
            "reason",
            "source",
            "rule",
            "rule_key",
            "rule_name",
            "issued_by",
            "issued_by_name",
            "directive",
            "directive_number",
            "deadline",
            "subject_type",
            "subject_id",
            "subject_label",
            "issued_on",
            "status",
            "status_display",
            "appeal_reason",
            "appealed_by",
            "appealed_at",
            "decision_note",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields

    def get_source(self, obj) -> str:
        if obj.rule_id:
            return f"规则：{obj.rule.name}"
        return f"人工出示：{obj.issued_by or '—'}"


class CardWarningSerializer(serializers.ModelSerializer):
    """A red warning a card counted or points to: which watch, when."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    reference = serializers.CharField(source="deadline.reference", read_only=True)
    title = serializers.CharField(source="deadline.title", read_only=True)

    class Meta:
        model = WarningEvent
        fields = ["id", "deadline", "reference", "title", "kind", "kind_display", "due_date", "at"]
        read_only_fields = fields


class CardDetailSerializer(CardSerializer):
    events = CardEventSerializer(many=True, read_only=True)
    warnings = CardWarningSerializer(many=True, read_only=True)

    class Meta(CardSerializer.Meta):
        fields = [*CardSerializer.Meta.fields, "warnings", "events"]
        read_only_fields = fields


class CardIssueSerializer(serializers.Serializer):
    color = serializers.ChoiceField(choices=CardColor.choices)
    department = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField()
    staff = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    subject_type = serializers.ChoiceField(choices=SubjectType.choices, required=False)
    subject_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    directive = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="依据的督办单：ID 或督办单号。"
    )
    deadline = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="依据的时限监控记录 ID（其红灯预警一并关联）。",
    )


class CardAppealSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CardDecideSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField()


class CardRuleEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.CharField(source="actor", read_only=True, default=None)

    class Meta:
        model = CardRuleEvent
        fields = ["id", "kind", "kind_display", "changes", "actor", "actor_name", "at"]
        read_only_fields = fields


class CardRuleSerializer(serializers.ModelSerializer):
    trigger_display = serializers.CharField(source="get_trigger_display", read_only=True)
    color_display = serializers.CharField(source="get_color_display", read_only=True)
    target_display = serializers.CharField(source="get_target_display", read_only=True)
    summary = serializers.SerializerMethodField(help_text="规则的一句话说明。")
    card_count = serializers.IntegerField(read_only=True, default=0, help_text="按本规则出示的牌数。")

    class Meta:
        model = CardRule
        fields = [
            "id",
            "key",
            "name",
            "trigger",
            "trigger_display",
            "subject_type",
            "count",
            "window_days",
            "after_days",
            "exempt_extended",
            "color",
            "color_display",
            "target",
            "target_display",
            "active",
            "description",
            "summary",
            "card_count",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields

    def get_summary(self, obj) -> str:
        return rule_summary(obj)


class CardRuleDetailSerializer(CardRuleSerializer):
    events = CardRuleEventSerializer(many=True, read_only=True)

    class Meta(CardRuleSerializer.Meta):
        fields = [*CardRuleSerializer.Meta.fields, "events"]
        read_only_fields = fields


class CardRuleWriteSerializer(serializers.Serializer):
    """Input of a rule (POST: key, trigger, name and color required; PATCH: only the fields to change).
    Which numbers matter depends on the trigger: after_days (directive_ignored), count and window_days
    (repeated_fault), subject_type (repeated_fault, overdue), exempt_extended (overdue)."""

    key = serializers.CharField(required=False, max_length=48)
    trigger = serializers.ChoiceField(choices=CardTrigger.choices, required=False)
    name = serializers.CharField(required=False, max_length=100)
    subject_type = serializers.ChoiceField(choices=RuleSubject.choices, required=False, allow_blank=True)
    count = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    window_days = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    after_days = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    exempt_extended = serializers.BooleanField(required=False)
    color = serializers.ChoiceField(choices=CardColor.choices, required=False)
    target = serializers.ChoiceField(choices=CardTarget.choices, required=False)
    active = serializers.BooleanField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    expected_version = serializers.IntegerField(
        required=False, min_value=1, help_text="PATCH：读取时的版本号。"
    )
