from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procedures.models import Channel

from . import policies, selectors
from .models import (
    ApologyLetter,
    Attachment,
    AttachmentKind,
    Dossier,
    DossierEvent,
    DossierFee,
    Handover,
    HandoverKind,
    ReturnChannel,
)
from .selectors import mask_id_number
from .transition_inputs import DeskCreateInput


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name", default=None, allow_null=True, read_only=True,
                                  help_text="người thực hiện; null khi hệ thống tự ghi")
    status_label = serializers.CharField(read_only=True)

    class Meta:
        model = DossierEvent
        fields = ["type", "at", "from_status", "to_status", "status_label", "step", "step_due_at", "punctuality",
                  "reason", "actor"]


class AttachmentSerializer(serializers.ModelSerializer):
    document = serializers.CharField(source="document.name", default=None, allow_null=True, read_only=True,
                                     help_text="thành phần hồ sơ; null với tệp không gắn thành phần (kết quả, ...)")

    class Meta:
        model = Attachment
        fields = ["id", "kind", "document", "original_name", "size", "sha256", "content_type", "uploaded_at",
                  "signature_state", "signature_report"]
        extra_kwargs = {
            "signature_state": {"help_text": "chữ ký số khi tải lên: none (không có), valid (hợp lệ), invalid (không "
                                             "hợp lệ), unreadable (không đọc được PDF); rỗng với tệp không phải PDF"},
            "signature_report": {"help_text": "từng chữ ký: signer_name, organisation, issuer, serial, signed_at, "
                                              "timestamped, intact, trusted, in_validity, whole_file, ok, problems"}}


class AttachmentUploadSerializer(serializers.Serializer):
    """The multipart form of an upload (the file itself is checked by dossiers.attachments)."""

    file = serializers.FileField(allow_empty_file=True, error_messages={
        "required": "Cần gửi tệp trong trường “file”.", "invalid": "Trường “file” phải là một tệp.",
        "no_name": "Tệp gửi lên không có tên."})
    document = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text="mã thành phần hồ sơ (documents[].id của phiên bản thủ tục)",
        error_messages={"invalid": "Mã thành phần hồ sơ (document) phải là một số nguyên.",
                        "max_string_length": "Mã thành phần hồ sơ (document) quá dài.",
                        "min_value": "Không có thành phần hồ sơ này.", "max_value": "Không có thành phần hồ sơ này."})
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, required=False, allow_blank=True, error_messages={
        "invalid_choice": "Loại tệp “{input}” không hợp lệ: chọn component, supplement hoặc result."})


class ApologyLetterSerializer(serializers.ModelSerializer):
    reason_kind = serializers.CharField(read_only=True, help_text="mã lý do (theo bộ quy định một cửa có hiệu lực)")
    reason = serializers.CharField(source="reason_display", read_only=True)

    class Meta:
        model = ApologyLetter
        fields = ["number", "issued_at", "reason_kind", "reason", "due_at", "new_due_at", "issued_late"]


class DossierFeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierFee
        fields = ["name", "amount", "exemption_name", "exemption_percent", "amount_due", "refundable"]


class HandoverSerializer(serializers.ModelSerializer):
    """A hand-over between desks (reception regardless of administrative boundaries), agencies by code."""

    from_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Handover
        fields = ["id", "kind", "from_agency", "to_agency", "sent_at", "due_at", "paper", "carrier", "note",
                  "acknowledged_at", "paper_received_at", "alerted_at"]


class HandoverSendSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=HandoverKind.choices, help_text="dossier: hồ sơ đến cơ quan có thẩm quyền; result: kết quả đến nơi trả",
        error_messages={key: "Loại chuyển phải là dossier hoặc result."
                        for key in ("required", "null", "invalid_choice")})
    paper = serializers.BooleanField(required=False, default=False, help_text="kèm bản giấy (bản chính)")
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=255,
                                    help_text="người vận chuyển bản giấy (bắt buộc khi paper)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ApplicantMaskMixin:
    """Applies the personal-data rule (dossiers.policies): a reader without access to the applicant (a Home
    Affairs officer) gets initials, the last four digits of the ID number, no contact data and no files.
    Without a request in the context nothing personal is shown."""

    HIDDEN = ("applicant_address", "applicant_commune", "applicant_phone", "applicant_email")

    def to_representation(self, obj):
        data = super().to_representation(obj)
        request = self.context.get("request")
        if request is not None and policies.can_see_applicant(request.user, obj):
            return data
        data["applicant_name"] = policies.initials(obj.applicant_name)
        if "applicant_id_number" in data:
            data["applicant_id_number"] = mask_id_number(obj.applicant_id_number)
        for name in self.HIDDEN:
            if name in data:
                data[name] = ""
        if "attachments" in data:
            data["attachments"] = []
        if "events" in data:  # the control sheet stays; the citizen acting on it is not named
            own = {obj.applicant_name, obj.citizen.full_name if obj.citizen_id else None}
            for event in data["events"]:
                if event.get("actor") in own:
                    event["actor"] = policies.initials(obj.applicant_name)
        return data


class DossierListSerializer(ApplicantMaskMixin, serializers.ModelSerializer):
    procedure_code = serializers.CharField(source="procedure_version.procedure.code", read_only=True)
    procedure_name = serializers.CharField(source="procedure_version.procedure.name", read_only=True)

    class Meta:
        model = Dossier
        fields = ["id", "code", "status", "procedure_code", "procedure_name", "channel", "receiving_agency",
                  "applicant_name", "received_at", "due_at", "resolved_at", "returned_at", "punctuality"]


class DossierDetailSerializer(DossierListSerializer):
    """Staff of the dossier's agencies see everything; the citizen sees what
    `selectors` lets a citizen see (the same as their page)."""

    events = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    handovers = serializers.SerializerMethodField()
    apology_letters = serializers.SerializerMethodField()
    fees = DossierFeeSerializer(many=True, read_only=True)

    class Meta(DossierListSerializer.Meta):
        fields = [*DossierListSerializer.Meta.fields, "procedure_version", "return_channel", "applicant_kind",
                  "applicant_id_number", "applicant_address", "applicant_commune", "applicant_phone",
                  "applicant_email", "handling_agency", "returning_agency", "assignee", "original_due_at", "step",
                  "step_due_at",
                  "extended_from", "track", "refusal_reason", "result_summary", "events", "attachments",
                  "apology_letters", "available_actions", "fee_total", "fee_status", "fee_paid_at", "fee_paid_via",
                  "refund_amount", "fees", "e_result_sha256", "handovers"]

    def _staff(self, obj) -> bool:
        return policies.sees_as_staff(self.context["request"].user, obj)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._staff(instance):
            if not selectors.result_released(instance):  # the appraiser's draft result is internal
                data["result_summary"], data["e_result_sha256"] = "", ""
            data["assignee"] = None
        return data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, obj) -> list[dict]:
        data = EventSerializer(selectors.dossier_events_for(self.context["request"].user, obj)
                               .select_related("actor"), many=True).data
        if not self._staff(obj):  # as on the citizen's page: no officer names, no step timing
            for row in data:
                row.update(actor=None, step_due_at=None, punctuality="")
        return data

    def get_apology_letters(self, obj) -> list[dict]:
        """Issued letters only (drafts are internal)."""
        return ApologyLetterSerializer(selectors.citizen_letters(obj), many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj) -> list[dict]:
        return AttachmentSerializer(selectors.dossier_attachments_for(self.context["request"].user, obj),
                                    many=True).data

    @extend_schema_field(HandoverSerializer(many=True))
    def get_handovers(self, obj) -> list[dict]:
        """Staff only: the hand-overs between desks."""
        return HandoverSerializer(selectors.dossier_handovers(obj), many=True).data if self._staff(obj) else []

    def get_available_actions(self, obj) -> list[str]:
        return [a.name for a in policies.available_actions(self.context["request"].user, obj)]


class DossierTargetSerializer(serializers.Serializer):
    """Which procedure and agency a new dossier is for, and whether it is created at the desk."""

    procedure_version = serializers.IntegerField()
    agency = serializers.CharField(help_text="mã cơ quan tiếp nhận, ví dụ H21.65")
    desk = serializers.BooleanField(default=False, help_text="cán bộ tiếp nhận: tạo và tiếp nhận ngay tại quầy")


class DossierCreateSerializer(DossierTargetSerializer, DeskCreateInput):
    """POST /api/dossiers/. With `desk`, the body is the desk's input (transition_inputs.DeskCreateInput, as the
    desk page); without, a citizen's draft: the applicant, return_channel and cases."""

    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.IN_PERSON,
                                      help_text="chỉ với desk: hình thức nộp (in_person hoặc postal)")
    return_channel = serializers.ChoiceField(
        choices=ReturnChannel.choices, required=False,
        help_text="hình thức nhận kết quả; bỏ trống: tại quầy với desk, trực tuyến với hồ sơ nộp trực tuyến")

    def validate(self, attrs):
        sent = "components" in self.initial_data or attrs.get("presented") or attrs.get("exemptions")
        if not attrs.get("desk") and sent:
            raise serializers.ValidationError({"components": "Chỉ cán bộ tiếp nhận tạo hồ sơ tại quầy (desk) mới ghi "
                                                             "thành phần đã nhận, giấy tờ đã xuất trình và miễn, "
                                                             "giảm phí."})
        return super().validate(attrs)


class PublicEventSerializer(serializers.ModelSerializer):
    """What anyone with the code and PIN may see: no officer names, no personal data."""

    status_label = serializers.CharField(read_only=True)

    class Meta:
        model = DossierEvent
        fields = ["type", "at", "to_status", "status_label", "reason"]


class TrackSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure_name = serializers.CharField()
    applicant_initials = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    events = PublicEventSerializer(many=True)
