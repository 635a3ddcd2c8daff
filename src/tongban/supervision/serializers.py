"""API shapes of supervision: output serializers for reads, input serializers that only parse."""

from __future__ import annotations

from rest_framework import serializers

from tongban.api.serializers import ErrorSerializer  # noqa: F401  (re-exported: one error shape for the API)
from tongban.common.errors import MAX_ID

from .choices import CardColor, Level, SubjectType
from .models import Card, CardEvent, Deadline, Directive, DirectiveEvent, WarningEvent


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

    class Meta:
        model = Directive
        fields = [
            "id",
            "number",
            "subject_type",
            "subject_id",
            "subject_label",
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
    subject_id = serializers.IntegerField(required=False, min_value=1)
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

    class Meta:
        model = Card
        fields = [
            "id",
            "color",
            "color_display",
            "department",
            "department_name",
            "staff",
            "reason",
            "rule_key",
            "issued_by",
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


class CardDetailSerializer(CardSerializer):
    events = CardEventSerializer(many=True, read_only=True)

    class Meta(CardSerializer.Meta):
        fields = [*CardSerializer.Meta.fields, "events"]
        read_only_fields = fields


class CardIssueSerializer(serializers.Serializer):
    color = serializers.ChoiceField(choices=CardColor.choices)
    department = serializers.IntegerField(min_value=1)
    reason = serializers.CharField()
    staff = serializers.IntegerField(required=False, min_value=1)
    subject_type = serializers.ChoiceField(choices=SubjectType.choices, required=False)
    subject_id = serializers.IntegerField(required=False, min_value=1)


class CardAppealSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CardDecideSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField()
