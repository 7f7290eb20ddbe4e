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

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from accounts.models import User

from . import selectors, services
from .models import Dossier, ReturnChannel

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
