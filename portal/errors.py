"""The one domain exception type (ARCHITECTURE.md §3.3) and its translation for the API.

Services raise `DomainError(code, message)` for anything the user can fix. Views turn it
into a form error, the API into HTTP 400/403/404/409 with the stable code; never a 500.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A user-fixable error: a stable machine code and a Vietnamese message."""

    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, *, field: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        if http_status is not None:
            self.http_status = http_status

    def __str__(self) -> str:
        return self.message


class Conflict(DomainError):
    """The object moved on since the user looked at it (a concurrent transition)."""

    http_status = status.HTTP_409_CONFLICT


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.http_status)
    return exception_handler(exc, context)


def add_to_form(form, exc: DomainError) -> None:
    """Show a DomainError on the form: on its field when the form has it, else on the form."""
    field = exc.field if exc.field and exc.field in form.fields else None
    form.add_error(field, exc.message)
