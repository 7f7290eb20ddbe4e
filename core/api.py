"""REST framework glue shared by every API view.

- One error body for every 4xx/5xx answer (`ErrorSerializer`): DomainError, DRF's own exceptions and Django's
  404/400/500 under /api/ all answer `{"code", "detail"}` (+ `field`, + `errors` per field for validation).
- The parser and the OPTIONS metadata are in portal.drf (REST framework imports them while it loads).
- The schema documents the error answers each operation can give (400/403/404/409/415/429).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views import defaults
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.exceptions import APIException, ErrorDetail, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import DomainError

API_PREFIX = "/api/"


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer of the API."""

    code = serializers.CharField(help_text="mã lỗi ổn định cho máy đọc, ví dụ invalid, not_found, "
                                           "permission_denied, transition_not_allowed, throttled")
    detail = serializers.CharField(help_text="thông báo cho người dùng (tiếng Việt)")
    field = serializers.CharField(required=False, help_text="trường gây lỗi, nếu có")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text="lỗi theo từng trường (khi dữ liệu gửi lên không hợp lệ)")


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """ValidationError.detail (dicts and lists of ErrorDetail, nested for nested serializers) as {field: [msgs]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for field, messages in _flatten(item, f"{prefix}.{index}" if prefix else str(index)).items():
                    out.setdefault(field, []).extend(messages)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def error_body(exc: APIException) -> dict:
    if isinstance(exc, ValidationError):
        errors = {field: messages for field, messages in _flatten(exc.detail).items() if messages}
        if not errors:
            return {"code": "invalid", "detail": "Dữ liệu gửi lên không hợp lệ."}
        field, messages = next(iter(errors.items()))
        body = {"code": "invalid", "detail": messages[0], "errors": errors}
        if field not in ("non_field_errors", "detail"):
            body["field"] = field
        return body
    detail = exc.detail
    if isinstance(detail, (dict, list)):  # an APIException raised with structured detail
        messages = [m for ms in _flatten(detail).values() for m in ms]
        detail = messages[0] if messages else exc.default_detail
    code = detail.code if isinstance(detail, ErrorDetail) and detail.code else exc.default_code
    return {"code": str(code), "detail": str(detail)}


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException):
        response.data = error_body(exc)
    return response


ERROR_DESCRIPTIONS = {
    "400": "Dữ liệu gửi lên không hợp lệ (mã lỗi và thông báo tiếng Việt).",
    "403": "Chưa đăng nhập, token sai hoặc không có quyền.",
    "404": "Không tìm thấy (hoặc không được xem).",
    "409": "Xung đột: hồ sơ/phiên bản đã chuyển trạng thái, thao tác không còn hợp lệ.",
    "415": "Định dạng nội dung gửi lên không được hỗ trợ.",
    "429": "Quá nhiều yêu cầu; thử lại sau (xem header Retry-After).",
}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers every operation can give, all with `ErrorSerializer`."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        unsafe = method.upper() in ("POST", "PUT", "PATCH", "DELETE")
        codes = {"403"}
        if unsafe or any(p.get("in") == "query" for p in parameters):
            codes.add("400")
        if method.upper() == "GET" or any(p.get("in") == "path" for p in parameters):
            codes.add("404")
        if unsafe:
            codes.add("409")
        if "requestBody" in operation:
            codes.add("415")
        if self.view.get_throttles():
            codes.add("429")
        ref = self.resolve_serializer(ErrorSerializer, "response").ref
        responses = operation.setdefault("responses", {})
        for code in sorted(codes):
            responses.setdefault(code, {"content": {"application/json": {"schema": ref}},
                                        "description": ERROR_DESCRIPTIONS[code]})
        return operation


# Django's own error pages, for URLs no API view answered (e.g. /api/attachments/abc/download/).
def _api_error(request, status: int, code: str, detail: str):
    return JsonResponse({"code": code, "detail": detail}, status=status)


def bad_request(request, exception, **kwargs):
    if request.path.startswith(API_PREFIX):
        return _api_error(request, 400, "bad_request", "Yêu cầu không hợp lệ.")
    return defaults.bad_request(request, exception, **kwargs)


def page_not_found(request, exception, **kwargs):
    if request.path.startswith(API_PREFIX):
        return _api_error(request, 404, "not_found", "Không tìm thấy.")
    return defaults.page_not_found(request, exception, **kwargs)


def server_error(request, **kwargs):
    if request.path.startswith(API_PREFIX):
        return _api_error(request, 500, "server_error", "Lỗi máy chủ; vui lòng thử lại sau.")
    return defaults.server_error(request, **kwargs)
