"""REST framework glue: DomainError -> HTTP answer with its stable code (never a 500)."""

from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import DomainError


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.http_status)
    return exception_handler(exc, context)
