"""The dossier API: the same services and access gate as the pages. Session or token authentication."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.api import ERROR_DESCRIPTIONS, ErrorSerializer
from core.params import pk_param

from . import attachments, idempotency, pins, policies, routing, selectors, services
from .models import AttachmentKind, Dossier, ReturnChannel
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DossierCreateSerializer,
    DossierDetailSerializer,
    DossierListSerializer,
    HandoverSendSerializer,
    HandoverSerializer,
    TrackSerializer,
)
from .transition_inputs import APPLICANT_INPUTS, INPUTS, TransitionSerializer, desk_create, transition_fire


class DossierCursor(CursorPagination):
    ordering = "-id"
    page_size = 25


class DossierViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    pagination_class = DossierCursor
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.dossier_list(self.request.user, **{key: params.get(key) or "" for key in
                                                            ("status", "channel", "procedure", "agency")})

    def _dossier(self, pk) -> Dossier:
        try:
            pk = int(pk)
        except (ValueError, TypeError):
            raise NotFound("Không tìm thấy hồ sơ.") from None
        try:
            return selectors.access_dossier(self.request.user, pk)
        except Http404 as exc:  # the gate: a dossier the user may not see does not exist for them
            raise NotFound("Không tìm thấy hồ sơ.") from exc

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("status", "channel", "procedure", "agency")],
                   responses=DossierListSerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DossierListSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(responses=DossierDetailSerializer)
    def retrieve(self, request, pk=None):
        dossier = self._dossier(pk)
        if policies.sees_as_staff(request.user, dossier) and policies.can_see_applicant(request.user, dossier):
            selectors.log_personal_data_access(request, dossier, "view", "api")
        return Response(DossierDetailSerializer(dossier, context={"request": request}).data)

    @extend_schema(request=DossierCreateSerializer, responses={201: DossierDetailSerializer},
                   parameters=[idempotency.IDEMPOTENCY_PARAMETER])
    def create(self, request):
        return idempotency.api_once(request, lambda: self._create(request))

    def _create(self, request):
        s = DossierCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        version = selectors.procedure_version_get(data.pop("procedure_version"))
        agency = selectors.agency_get(data.pop("agency"))
        if version is None or agency is None:
            raise ValidationError({"detail": "Không có thủ tục hoặc cơ quan này."})
        if data["desk"]:  # the desk's inputs, read and checked as on the desk page (transition_inputs.desk_create)
            dossier = desk_create(data=request.data, actor=request.user, version=version, agency=agency)
        else:
            applicant = {key: data[key] for key in APPLICANT_INPUTS}
            dossier = services.dossier_create_draft(
                citizen=request.user, version=version, agency=agency, cases=data["cases"],
                return_channel=data.get("return_channel") or ReturnChannel.ONLINE, **applicant)
        return Response(DossierDetailSerializer(dossier, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses=DossierDetailSerializer,
                   parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(INPUTS)),
                               idempotency.IDEMPOTENCY_PARAMETER])
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request, pk=None, name=None):
        return idempotency.api_once(request, lambda: self._transition(request, pk, name))

    def _transition(self, request, pk, name):
        if name not in INPUTS:
            raise NotFound("Không có thao tác này.")
        dossier = transition_fire(name=name, dossier=self._dossier(pk), actor=request.user, data=request.data)
        return Response(DossierDetailSerializer(dossier, context={"request": request}).data)

    @extend_schema(request=HandoverSendSerializer, responses={201: HandoverSerializer})
    @action(detail=True, methods=["post"])
    def handovers(self, request, pk=None):
        """Forward the digitised dossier to the competent agency (kind "dossier", the receiving desk) or the result
        to the desk the citizen chose (kind "result", the competent agency's desk)."""
        dossier = self._dossier(pk)
        s = HandoverSendSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        handover = routing.handover_send(dossier=dossier, actor=request.user, **s.validated_data)
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=HandoverSerializer, operation_id="dossiers_handovers_confirm",
                   parameters=[OpenApiParameter("what", str, OpenApiParameter.PATH, enum=["acknowledge", "paper"])])
    @action(detail=True, methods=["post"], url_path=r"handovers/(?P<handover_pk>[0-9]+)/(?P<what>acknowledge|paper)")
    def handover_confirm(self, request, pk=None, handover_pk=None, what=None):
        """The receiving side's desk confirms the electronic file (acknowledge) or the paper originals (paper)."""
        dossier = self._dossier(pk)
        handover = selectors.handover_get(dossier, pk_param(handover_pk))
        if handover is None:
            raise NotFound("Không tìm thấy lần chuyển này.")
        if what == "acknowledge":
            handover = routing.handover_acknowledge(handover=handover, actor=request.user)
        else:
            handover = routing.paper_receive(handover=handover, actor=request.user)
        return Response(HandoverSerializer(handover).data)

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        dossier = self._dossier(pk)
        s = AttachmentUploadSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        upload = s.validated_data["file"]
        document = selectors.dossier_document_get(dossier, s.validated_data.get("document"))
        if s.validated_data.get("document") and document is None:
            raise ValidationError({"document": "Thủ tục của hồ sơ không có thành phần này."})
        attachment = attachments.attachment_add(dossier=dossier, actor=request.user, upload=upload, document=document,
                                                kind=s.validated_data.get("kind") or AttachmentKind.COMPONENT)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


# The Content-Type of a download is the type read from the file's content at upload (dossiers.attachments):
# PDF and images, office documents when a procedure accepts them.
DOWNLOAD_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/tiff", "application/msword",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-excel",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet")


@extend_schema(responses={(200, media_type): OpenApiTypes.BINARY for media_type in DOWNLOAD_TYPES})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def attachment_download(request, pk: int):
    try:
        attachment, dossier = selectors.attachment_get(request.user, pk)
    except Http404 as exc:
        raise NotFound("Không tìm thấy tệp.") from exc
    policies.require_applicant(request.user, dossier)  # 403 for a reader of the control sheet only
    selectors.log_personal_data_access(request, dossier, "download", attachment.original_name)
    return attachments.download_response(attachment)


@extend_schema(parameters=[OpenApiParameter("code", str, required=True), OpenApiParameter("pin", str, required=True)],
               responses={200: TrackSerializer,  # 429: the PIN budget of the code is spent (pins, not a throttle)
                          429: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS["429"])})
@api_view(["GET"])
@permission_classes([AllowAny])
def track(request):
    """Wrong PINs count against the dossier code (pins.dossier_by_pin), shared with the tracking
    page and the desk kiosk, for anonymous and logged-in callers alike: 429 once it is spent."""
    dossier = pins.dossier_by_pin(
        code=request.query_params.get("code", ""), pin=request.query_params.get("pin", ""),
        queryset=selectors.dossier_track_queryset())
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ với mã và PIN này.")
    return Response(TrackSerializer({
        "code": dossier.code, "procedure_name": dossier.procedure_version.procedure.name,
        "applicant_initials": " ".join(w[0] + "." for w in dossier.applicant_name.split() if w),
        "status": dossier.status, "status_label": dossier.get_status_display(), "due_at": dossier.due_at,
        "events": selectors.citizen_events(dossier),
    }).data)
