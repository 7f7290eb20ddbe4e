"""What each workflow transition takes from a request, declared once.

One input class per row of `workflow.TRANSITIONS` (a DRF serializer: it reads an HTML form's POST data
and a JSON body alike), naming the service it calls. The dossier page (`views.dossier_action`) and the
API (`api.DossierViewSet.transition`) both call `transition_fire`, which validates the data with the
transition's input and calls its service: an input is checked by one rule whichever way it arrives.

Invalid data raises REST framework's `ValidationError` (the API answers 400 with the shared error body;
the page shows the first message); the service raises `DomainError` / `PermissionDenied` as always.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from accounts.models import Agency, User
from accounts.validators import validate_citizen_id
from procedures.models import Channel, ProcedureVersion

from . import selectors, services
from .models import ApplicantKind, Dossier, ReturnChannel

MAX_ID = 2**63 - 1  # a primary key (bigint): a larger number cannot name anything


def _id_messages(message) -> dict:
    return {key: message for key in ("required", "null", "invalid", "max_string_length", "min_value", "max_value")}


def _reason():
    return serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="lý do, nội dung (bắt buộc với các thao tác luật yêu cầu nêu lý do)")


# -- the inputs ----------------------------------------------------------------------------------

class TransitionInput(serializers.Serializer):
    """What every transition takes: the status the user saw (optional; a stale page or client is refused
    with 409 instead of acting on a dossier that moved meanwhile)."""

    name = ""  # the transition (a row of workflow.TRANSITIONS)
    service = ""  # its service in dossiers.services
    stale_check = True  # whether the service takes `expected_status`

    expected_status = serializers.CharField(required=False, help_text="trạng thái mà người dùng đang thấy")

    def service_kwargs(self) -> dict:
        """The validated data as the service takes it."""
        kwargs = dict(self.validated_data)
        status = kwargs.pop("expected_status", None)
        if status and self.stale_check:
            kwargs["expected_status"] = status
        return kwargs

    def fire(self, *, dossier: Dossier, actor: User) -> Dossier:
        return getattr(services, self.service)(dossier=dossier, actor=actor, **self.service_kwargs())


class ReasonInput(TransitionInput):
    reason = _reason()


class SubmitInput(TransitionInput):
    name, service, stale_check = "submit", "dossier_submit", False


class ExemptionInput(serializers.Serializer):
    """One fee line's exemption applied at reception."""

    default_error_messages = {"invalid": _("Đối tượng miễn, giảm không hợp lệ.")}

    fee = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="id khoản phí của hình thức nộp",
                                   error_messages=_id_messages(_("Đối tượng miễn, giảm không hợp lệ.")))
    exemption = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="id đối tượng miễn, giảm",
                                         error_messages=_id_messages(_("Đối tượng miễn, giảm không hợp lệ.")))
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="số, ngày của giấy tờ chứng minh (bắt buộc)")


class ExemptionsField(serializers.ListField):
    """The exemptions the reception officer applied, as the service takes them ({fee id: {exemption, note}}).
    JSON: a list of {fee, exemption, note}; an HTML form: `exemption_<fee id>` = the exemption's id and
    `exemption_note_<fee id>` = the proof (the dossier page's fields; an empty choice is no exemption)."""

    child = ExemptionInput()
    default_error_messages = {"duplicate": _("Mỗi khoản phí chỉ được miễn, giảm một lần.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("error_messages", {"not_a_list": _("Đối tượng miễn, giảm không hợp lệ."),
                                             "max_length": _("Đối tượng miễn, giảm không hợp lệ.")})
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            rows = [{"fee": key.removeprefix("exemption_"), "exemption": dictionary.get(key).strip(),
                     "note": dictionary.get(f"exemption_note_{key.removeprefix('exemption_')}", "")}
                    for key in dictionary
                    if key.startswith("exemption_") and not key.startswith("exemption_note_")
                    and (dictionary.get(key) or "").strip()]
            return rows or empty
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        chosen = {}
        for row in super().to_internal_value(data):
            if row["fee"] in chosen:
                self.fail("duplicate")
            chosen[row["fee"]] = {"exemption": row["exemption"], "note": row["note"]}
        return chosen


class ReceiveInput(TransitionInput):
    name, service = "receive", "dossier_receive"

    exemptions = ExemptionsField(required=False, help_text="receive: miễn, giảm phí, lệ phí cho các khoản phí của "
                                                           "hình thức nộp của hồ sơ")


def _components():
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                       error_messages=_id_messages(_("Thành phần không thuộc thủ tục này."))),
        required=False, max_length=200,
        error_messages={"not_a_list": _("Thành phần không thuộc thủ tục này."),
                        "max_length": _("Thành phần không thuộc thủ tục này.")},
        help_text="guide, request_supplement: id các thành phần hồ sơ cần bổ sung, ngoài các thành phần bắt "
                  "buộc còn thiếu (Mẫu 02 liệt kê cả hai)")


class GuideInput(ReasonInput):
    name, service = "guide", "dossier_guide"

    components = _components()


class RefuseAtReceptionInput(ReasonInput):
    name, service = "refuse_at_reception", "dossier_refuse_at_reception"


class AssignInput(TransitionInput):
    name, service = "assign", "dossier_assign"

    appraiser = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="assign: id chuyên viên thẩm định",
                                         error_messages=_id_messages(_("Hãy chọn chuyên viên thẩm định.")))

    def validate_appraiser(self, value) -> User:
        appraiser = selectors.user_get(value)
        if appraiser is None:
            raise serializers.ValidationError(_("Hãy chọn chuyên viên thẩm định."))
        return appraiser


class RequestSupplementInput(ReasonInput):
    name, service = "request_supplement", "dossier_request_supplement"

    components = _components()


class SupplementReceivedInput(TransitionInput):
    name, service = "supplement_received", "dossier_supplement_received"


class ConsultInput(ReasonInput):
    name, service = "consult", "dossier_consult"

    agency = serializers.CharField(max_length=32, help_text="consult: mã cơ quan được xin ý kiến, ví dụ H21.20",
                                   error_messages={key: _("Hãy chọn cơ quan được xin ý kiến.")
                                                   for key in ("required", "null", "blank", "invalid")}
                                   | {"max_length": _("Không có cơ quan này.")})

    def validate_agency(self, value):
        agency = selectors.consultable_agency_get(value)
        if agency is None:
            raise serializers.ValidationError(_("Không có cơ quan này."))
        return agency


class ConsultationAnsweredInput(ReasonInput):
    name, service = "consultation_answered", "dossier_consultation_answered"


class ProposeInput(TransitionInput):
    name, service = "propose", "dossier_propose"

    proposal = serializers.ChoiceField(
        choices=[("approve", "approve"), ("refuse", "refuse")], help_text="propose: đề xuất giải quyết hoặc từ chối",
        error_messages={key: _("Đề xuất phải là giải quyết hoặc từ chối.")
                        for key in ("required", "null", "invalid_choice")})
    result_summary = serializers.CharField(required=False, allow_blank=True, default="",
                                           help_text="propose: dự thảo kết quả giải quyết")


class ApproveInput(TransitionInput):
    name, service = "approve", "dossier_approve"


class RefuseInput(ReasonInput):
    name, service = "refuse", "dossier_refuse"


class SendBackInput(ReasonInput):
    name, service = "send_back", "dossier_send_back"


class ResolveInput(TransitionInput):
    name, service = "resolve", "dossier_resolve"


class ReturnResultInput(TransitionInput):
    name, service = "return_result", "dossier_return"

    how = serializers.ChoiceField(
        choices=ReturnChannel.choices, required=False,
        help_text="return_result: hình thức trả; bỏ trống: hình thức người nộp đã chọn",
        error_messages={key: _("Hình thức trả kết quả không hợp lệ.") for key in ("null", "invalid_choice")})
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                            help_text="return_result: số vận đơn (bắt buộc khi trả qua bưu chính)")

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        kwargs.setdefault("how", self.context["dossier"].return_channel)
        return kwargs


class WithdrawInput(ReasonInput):
    name, service = "withdraw", "dossier_withdraw"


class StopInput(ReasonInput):
    name, service = "stop", "dossier_stop"


INPUTS: dict[str, type[TransitionInput]] = {cls.name: cls for cls in (
    SubmitInput, ReceiveInput, GuideInput, RefuseAtReceptionInput, AssignInput, RequestSupplementInput,
    SupplementReceivedInput, ConsultInput, ConsultationAnsweredInput, ProposeInput, ApproveInput, RefuseInput,
    SendBackInput, ResolveInput, ReturnResultInput, WithdrawInput, StopInput)}


def transition_fire(*, name: str, dossier: Dossier, actor: User, data) -> Dossier:
    """Validate `data` (a form's POST or an API body) with transition `name`'s input and fire it."""
    if name not in INPUTS:
        raise Http404("Không có thao tác này.")
    inputs = INPUTS[name](data=data, context={"dossier": dossier})
    inputs.is_valid(raise_exception=True)
    return inputs.fire(dossier=dossier, actor=actor)


def _request_schema() -> type[serializers.Serializer]:
    """The API's request body, for the schema: every transition's fields, each optional (which apply
    depends on the transition named in the path)."""
    fields = {}
    for cls in INPUTS.values():
        for field_name, field in cls._declared_fields.items():
            if field_name not in fields:
                fields[field_name] = copy.deepcopy(field)
                fields[field_name]._kwargs["required"] = False  # kept when REST framework copies the field
                fields[field_name].required = False
    return type("TransitionSerializer", (serializers.Serializer,), {
        **fields, "__module__": __name__,
        "__doc__": "Dữ liệu của một thao tác; mỗi thao tác chỉ đọc các trường của nó."})


TransitionSerializer = _request_schema()


# -- creating a dossier at the desk (the workflow's `create_at_desk` row) ---------------------------

WRONG_DOCUMENT = _("Thành phần không thuộc thủ tục này.")


def id_number_problem(kind: str, number: str) -> str | None:
    """What is wrong with an applicant's identity number (a person's CCCD, an organisation's tax code), if
    anything: the rule of the desk input and of the online start page (forms.ApplicantForm)."""
    number = (number or "").strip()
    if not number:
        return None
    if kind == ApplicantKind.PERSON:
        try:
            validate_citizen_id(number)
        except DjangoValidationError as exc:
            return exc.messages[0]
        return None
    if not number.replace("-", "").isdigit():
        return str(_("Mã số thuế chỉ gồm chữ số (có thể có dấu gạch ngang)."))
    return None


@extend_schema_field(OpenApiTypes.INT)
class CountField(serializers.Field):
    """A number of originals or copies counted at the desk. Whether it is a whole number from 0 to 99 is
    the desk's own rule (components.desk_plan), which names the component: what is not a whole number
    reaches it as an impossible count (-1) and is refused there, with the component's name."""

    def to_internal_value(self, data):
        if isinstance(data, int):  # bool included: desk_plan refuses it
            return data
        if isinstance(data, str):
            raw = data.strip()
            if not raw:
                return 0  # an empty box on the page
            if raw.isascii() and raw.isdigit() and len(raw) <= 6:
                return int(raw)
        return -1

    def to_representation(self, value):
        return value


class DeskComponentSerializer(serializers.Serializer):
    """One component the reception officer received, as counted at the desk (the desk page's count fields).
    The counts are checked by the desk's own rule (dossiers.components.desk_plan)."""

    default_error_messages = {"invalid": _("Mỗi thành phần đã nhận phải là một đối tượng (document, originals, "
                                           "copies).")}

    document = serializers.IntegerField(help_text="id thành phần hồ sơ của phiên bản thủ tục (procedure_version)",
                                        error_messages=_id_messages(WRONG_DOCUMENT))
    originals = CountField(required=False, help_text="số bản chính đã nhận, từ 0 đến 99")
    copies = CountField(required=False, help_text="số bản sao đã nhận, từ 0 đến 99; bản chính + bản sao phải lớn "
                                                  "hơn 0. Bỏ trống cả hai: đúng số bản thủ tục quy định")


class DeskComponentsField(serializers.ListField):
    """The components handed in, as the service takes them ({id: {"originals", "copies"}}, or None for a
    component without counts: as the procedure asks). JSON: a list of {document, originals, copies}; an HTML
    form (the desk page): the ticked `components` boxes with `originals_<id>` / `copies_<id>`."""

    child = DeskComponentSerializer()
    default_error_messages = {"duplicate": _("Mỗi thành phần chỉ được ghi một lần.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("error_messages", {"not_a_list": WRONG_DOCUMENT, "max_length": WRONG_DOCUMENT})
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):  # nothing ticked on the page is nothing handed in
            return [{"document": pk, **{key: dictionary[f"{key}_{pk}"] for key in ("originals", "copies")
                                        if f"{key}_{pk}" in dictionary}}
                    for pk in dictionary.getlist(self.field_name)]
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        counted = {}
        for row in super().to_internal_value(data):
            if row["document"] in counted:
                self.fail("duplicate")
            has_counts = "originals" in row or "copies" in row
            counted[row["document"]] = ({"originals": row.get("originals", 0), "copies": row.get("copies", 0)}
                                        if has_counts else None)
        return counted


def _document_ids(help_text: str):
    return serializers.ListField(
        child=serializers.IntegerField(error_messages=_id_messages(WRONG_DOCUMENT)), required=False, default=list,
        max_length=200, error_messages={"not_a_list": WRONG_DOCUMENT, "max_length": WRONG_DOCUMENT},
        help_text=help_text)


def _text(max_length: int, help_text: str = "", **kwargs):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="",
                                 help_text=help_text, **kwargs)


class DeskCreateInput(serializers.Serializer):
    """What the reception officer records when a walk-in or postal dossier is created and received at the
    desk (`create_at_desk`): the desk page's form and the API's `desk: true` body alike (`desk_create`).
    The procedure and the agency are chosen by each caller (the page from its lists, the API by id/code)."""

    channel = serializers.ChoiceField(
        choices=[(Channel.IN_PERSON, Channel.IN_PERSON.label), (Channel.POSTAL, Channel.POSTAL.label)],
        default=Channel.IN_PERSON, help_text="desk: hình thức nộp (trực tiếp hoặc bưu chính)",
        error_messages={key: _("Hình thức nộp không hợp lệ.") for key in ("null", "invalid_choice")})
    return_channel = serializers.ChoiceField(
        choices=ReturnChannel.choices, default=ReturnChannel.DESK,
        help_text="hình thức nhận kết quả; bỏ trống: tại quầy (desk), hoặc trực tuyến với hồ sơ tạo trực tuyến",
        error_messages={key: _("Hình thức nhận kết quả không hợp lệ.") for key in ("null", "invalid_choice")})
    applicant_kind = serializers.ChoiceField(
        choices=ApplicantKind.choices, default=ApplicantKind.PERSON,
        error_messages={key: _("Người nộp phải là cá nhân hoặc tổ chức.") for key in ("null", "invalid_choice")})
    applicant_name = serializers.CharField(
        max_length=255, error_messages={key: _("Vui lòng nhập họ tên người nộp hồ sơ.")
                                        for key in ("required", "null", "blank")})
    applicant_id_number = _text(20, "số CCCD (cá nhân, 12 chữ số) hoặc mã số thuế (tổ chức)")
    applicant_phone = _text(20, "số điện thoại di động Việt Nam")
    applicant_email = serializers.EmailField(required=False, allow_blank=True, default="",
                                             error_messages={"invalid": _("Địa chỉ email không hợp lệ.")})
    applicant_address = _text(255)
    applicant_commune = _text(120)
    representative_name = _text(255, "người được ủy quyền (nếu có)")
    representative_id_number = _text(20, "CCCD người được ủy quyền")
    components = DeskComponentsField(
        required=False,
        help_text="chỉ với desk: các thành phần đã nhận và số bản chính, bản sao (như trang tiếp nhận tại quầy). "
                  "Bỏ trống: mọi thành phần phải nộp, đúng số bản thủ tục quy định. Phải có mọi thành phần phải "
                  "nộp và mọi thành phần theo điều kiện có trong cases; không gồm giấy tờ chỉ xuất trình")
    presented = _document_ids("chỉ với desk: id các giấy tờ đã xuất trình để đối chiếu (không nộp, trả lại người "
                              "nộp)")
    cases = _document_ids("id các thành phần nộp theo điều kiện mà trường hợp của hồ sơ này phải nộp")
    exemptions = ExemptionsField(required=False, help_text="chỉ với desk: miễn, giảm phí, lệ phí cho các khoản phí "
                                                           "của hình thức nộp (như khi tiếp nhận, receive)")
    handling_agency = _text(32, "mã cơ quan có thẩm quyền giải quyết (bỏ trống: cơ quan tiếp nhận); cơ quan khác chỉ "
                                "với thủ tục thuộc danh mục tiếp nhận không phụ thuộc địa giới hành chính")
    returning_agency = _text(32, "mã cơ quan nơi người nộp nhận kết quả tại quầy (bỏ trống: nơi tiếp nhận)")

    def _agency(self, value, field):
        if not value:
            return None
        agency = selectors.agency_get(value)
        if agency is None or not agency.is_active:
            raise serializers.ValidationError({field: _("Không có cơ quan mã “%s”.") % value})
        return agency

    def validate(self, attrs):
        problem = id_number_problem(attrs.get("applicant_kind"), attrs.get("applicant_id_number"))
        if problem:
            raise serializers.ValidationError({"applicant_id_number": problem})
        attrs["handling_agency"] = self._agency(attrs.get("handling_agency"), "handling_agency")
        attrs["returning_agency"] = self._agency(attrs.get("returning_agency"), "returning_agency")
        return attrs


APPLICANT_INPUTS = ("applicant_kind", "applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                    "applicant_address", "applicant_commune", "representative_name", "representative_id_number")


def desk_create(*, data, actor: User, version: ProcedureVersion, agency: Agency, scans: dict | None = None) -> Dossier:
    """Validate `data` (the desk page's POST or the API's body) with `DeskCreateInput` and create and receive
    the dossier at the desk (`services.dossier_create_at_desk`)."""
    inputs = DeskCreateInput(data=data)
    inputs.is_valid(raise_exception=True)
    given = dict(inputs.validated_data)
    return services.dossier_create_at_desk(
        actor=actor, version=version, agency=agency, channel=given["channel"],
        return_channel=given["return_channel"], components=given.get("components"), presented=given["presented"],
        cases=given["cases"], exemptions=given.get("exemptions"), scans=scans,
        handling_agency=given.get("handling_agency"), returning_agency=given.get("returning_agency"),
        **{key: given[key] for key in APPLICANT_INPUTS})
