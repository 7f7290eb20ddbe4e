"""The one domain exception type (ARCHITECTURE.md §3.3) and its translation for the API.

Services raise `DomainError(code, message)` for anything the user can fix. Views turn it
into a form error, the API into HTTP 400/403/404/409 with the stable code; never a 500.
Pure Python: importable from pure modules (deadline arithmetic) without Django settings.
"""

from __future__ import annotations


class DomainError(Exception):
    """A user-fixable error: a stable machine code and a Vietnamese message."""

    http_status = 400

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

    http_status = 409


def add_to_form(form, exc: DomainError) -> None:
    """Show a DomainError on the form: on its field when the form has it, else on the form."""
    field = exc.field if exc.field and exc.field in form.fields else None
    form.add_error(field, exc.message)
