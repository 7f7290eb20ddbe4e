from rest_framework import serializers

from core.periods import validate_in_range

from .models import ChannelOption, FeeItem, Field, InternalStep, Procedure, ProcedureVersion, RequiredDocument


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["code", "name"]


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeItem
        fields = ["name", "amount", "description", "exemptions"]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = InternalStep
        fields = ["order", "step", "name", "responsible", "hours"]


class ChannelSerializer(serializers.ModelSerializer):
    fees = FeeSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = ChannelOption
        fields = ["channel", "time_limit", "unit", "time_limit_text", "description", "fees", "steps"]


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["id", "order", "name", "template_name", "originals", "copies", "requirement", "condition",
                  "file_types", "note"]


class VersionSerializer(serializers.ModelSerializer):
    channels = ChannelSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ProcedureVersion
        fields = ["id", "number", "status", "decision_number", "decision_date", "effective_from", "effective_to",
                  "steps", "applicants", "conditions", "result", "result_kind", "competent_agency",
                  "implementing_agencies", "coordinating_agencies", "legal_bases", "online_level",
                  "postal_submission", "postal_return", "supplement_policy", "extension_allowed", "anywhere",
                  "channels", "documents"]


class VersionWriteSerializer(serializers.Serializer):
    """Editable fields of a draft version (validated again by the service)."""

    decision_number = serializers.CharField(max_length=100, required=False)
    decision_date = serializers.DateField(required=False, allow_null=True, validators=[validate_in_range])
    effective_from = serializers.DateField(required=False, allow_null=True, validators=[validate_in_range])
    effective_to = serializers.DateField(required=False, allow_null=True, validators=[validate_in_range])
    steps = serializers.CharField(required=False, allow_blank=True)
    applicants = serializers.CharField(required=False, allow_blank=True)
    conditions = serializers.CharField(required=False, allow_blank=True)
    result = serializers.CharField(required=False, allow_blank=True)
    online_level = serializers.ChoiceField(choices=ProcedureVersion._meta.get_field("online_level").choices,
                                           required=False)
    extension_allowed = serializers.BooleanField(required=False)
    anywhere = serializers.BooleanField(required=False)


class NewDraftSerializer(serializers.Serializer):
    decision_number = serializers.CharField(max_length=100)


class ProcedureListSerializer(serializers.ModelSerializer):
    field = FieldSerializer(read_only=True)

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "level", "keywords"]


class ProcedureDetailSerializer(ProcedureListSerializer):
    current_version = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(ProcedureListSerializer.Meta):
        fields = [*ProcedureListSerializer.Meta.fields, "current_version", "versions"]

    def get_current_version(self, obj) -> dict | None:
        version = self.context.get("current_version")
        return VersionSerializer(version).data if version else None

    def get_versions(self, obj) -> list[dict]:
        return [{"id": v.id, "number": v.number, "status": v.status, "decision_number": v.decision_number,
                 "effective_from": v.effective_from, "effective_to": v.effective_to}
                for v in obj.versions.order_by("-number")]


class ProcedureCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=24)
    name = serializers.CharField(max_length=500)
    field = serializers.SlugRelatedField(slug_field="code", queryset=Field.objects.all(),
                                         error_messages={"does_not_exist": "Không có lĩnh vực mã “{value}”."})
    level = serializers.ChoiceField(choices=Procedure._meta.get_field("level").choices)
    keywords = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
