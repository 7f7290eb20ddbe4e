"""The document store as a pre-fill source of declaration forms (`eforms.prefill`, layout `"prefill":
"store:<title>.<attribute>"`), registered by `DocstoreConfig.ready()`: eforms sits below docstore and never
imports it.

`store_value(user, "Giấy chứng sinh.issuing_agency")` reads the newest document (the store's own order:
newest put in the store first) of that user's store, not deleted, whose title matches `<title>`:

- accent- and case-insensitively (`procedures.text.search_key`: "giay chung sinh" finds "Giấy chứng sinh");
- a title equal to it wins; else a title that starts with it followed by a word boundary ("Giấy khai sinh"
  finds "Giấy khai sinh (bản sao trích lục)", never "Giấy khai sinh lại" before an exact "Giấy khai sinh", and
  "Giấy khai" finds nothing that is not a whole-word prefix).

A copy the portal filed from a dossier's components (`source_dossier` set, source "component") records the desk
that received it and the reception day as its agency and date, not who issued the paper: it never answers for
`issuing_agency` or `issued_on` (the newest such copy would otherwise put a ward's name where a hospital's
belongs). An electronic result answers: its agency issued it.

An expired document still answers (its agency or dates are what the citizen is asked to copy, and the citizen
can change every pre-filled value). The attributes: title, issuing_agency, issued_on, valid_until (dates as
ISO 8601, what the page's date input takes). Only the person's own store is read: for anything but a signed-in
`User` (the desk's stand-in for a dossier's applicant, an anonymous visitor) there is no value.
"""

from __future__ import annotations

from accounts.models import User
from procedures.text import search_key

from .models import Source
from .selectors import stored_document_list

ATTRIBUTES = ("title", "issuing_agency", "issued_on", "valid_until")


def store_value(user, key: str) -> str | None:
    """The value for the pre-fill source "store:<key>" (`key` = "<title>.<attribute>"), or None."""
    if not isinstance(user, User) or not user.is_authenticated or not user.pk or not user.is_active:
        return None
    title, _dot, attribute = (key or "").rpartition(".")
    wanted = search_key(title)
    if attribute not in ATTRIBUTES or not wanted:
        return None
    exact = prefix = None
    documents = stored_document_list(user)
    if attribute in ("issuing_agency", "issued_on"):
        documents = documents.exclude(source=Source.COMPONENT, source_dossier__isnull=False)
    for document in documents.order_by("-created_at", "-id"):
        have = search_key(document.title)
        if have == wanted:
            exact = document
            break
        if prefix is None and have.startswith(wanted + " "):
            prefix = document
    document = exact or prefix
    if document is None:
        return None
    value = getattr(document, attribute)
    if value in (None, ""):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
