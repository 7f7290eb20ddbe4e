"""The catalogue API: public reads; writes for administrators (the services check the role)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import selectors as agency_selectors

from . import selectors, services
from .models import Procedure
from .serializers import (
    NewDraftSerializer,
    ProcedureCreateSerializer,
    ProcedureDetailSerializer,
    ProcedureListSerializer,
    VersionSerializer,
    VersionWriteSerializer,
)


class ProcedureViewSet(viewsets.GenericViewSet):
    lookup_field = "code"
    lookup_value_regex = r"[0-9]\.[0-9]{6}(\.[A-Z0-9]{1,10})?"
    filter_backends = []

    def get_queryset(self):
        return selectors.procedure_list()

    def get_permissions(self):
        return [AllowAny()] if self.action in ("list", "retrieve") else [IsAuthenticated()]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="tên, mã hoặc từ khoá; không phân biệt dấu"),
            OpenApiParameter("field", str, description="mã lĩnh vực"),
            OpenApiParameter("level", str, enum=["province", "commune", "ministry"]),
            OpenApiParameter("agency", str, description="mã cơ quan tiếp nhận"),
        ],
        responses=ProcedureListSerializer(many=True),
    )
    def list(self, request):
        agency = None
        if request.query_params.get("agency"):
            agency = agency_selectors.agency_get(code=request.query_params["agency"])
            if agency is None:
                return Response({"code": "unknown_agency", "detail": "Không có cơ quan mã này."}, status=400)
        level = request.query_params.get("level") or None
        if level and level not in ("province", "commune", "ministry"):
            return Response({"code": "invalid_level", "detail": "Cấp thực hiện không hợp lệ."}, status=400)
        qs = selectors.procedure_search(q=request.query_params.get("q", "")[:200],
                                        field=request.query_params.get("field") or None, level=level, agency=agency)
        with selectors.typo_threshold(qs.db):  # the typo test through the trigram index, as on the page
            page = self.paginate_queryset(qs)
            data = ProcedureListSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(responses=ProcedureDetailSerializer)
    def retrieve(self, request, code=None):
        try:
            procedure, version = selectors.procedure_detail(code)
        except Procedure.DoesNotExist:
            raise Http404 from None
        return Response(ProcedureDetailSerializer(procedure, context={"current_version": version}).data)

    @extend_schema(request=ProcedureCreateSerializer, responses={201: ProcedureListSerializer})
    def create(self, request):
        serializer = ProcedureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        procedure = services.procedure_create(actor=request.user, **serializer.validated_data)
        return Response(ProcedureListSerializer(procedure).data, status=status.HTTP_201_CREATED)


class VersionViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        return selectors.procedure_version_list()

    @extend_schema(responses=VersionSerializer)
    def retrieve(self, request, pk=None):
        return Response(VersionSerializer(self.get_object()).data)

    @extend_schema(request=VersionWriteSerializer, responses=VersionSerializer)
    def partial_update(self, request, pk=None):
        serializer = VersionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = services.version_update_draft(actor=request.user, version=self.get_object(),
                                                **serializer.validated_data)
        return Response(VersionSerializer(version).data)

    @extend_schema(request=None, responses=VersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        version = services.version_publish(actor=request.user, version=self.get_object())
        return Response(VersionSerializer(version).data)

    @extend_schema(request=NewDraftSerializer, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"], url_path="new-draft")
    def new_draft(self, request, pk=None):
        serializer = NewDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = services.version_new_draft_from(actor=request.user, version=self.get_object(),
                                                decision_number=serializer.validated_data["decision_number"])
        return Response(VersionSerializer(draft).data, status=status.HTTP_201_CREATED)
