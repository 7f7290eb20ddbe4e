"""What the load test reads from the pages it gets (no locust here: tested against the real pages with Django's
test client in test_pages.py, imported by locustfile.py).

Every response is checked by its status and a marker of the expected content (`check`): a 200 with the wrong
page (a login form, a 400 page for a refused Host) is an error, not a fast answer.
"""

from __future__ import annotations

import html
import re

# page -> (status, a text the page must contain); "{code}" is filled with what the request asked for.
MARKERS = {
    "home": (200, "Cổng dịch vụ công"),
    "catalogue": (200, 'data-testid="result-count"'),
    "procedure": (200, "{code}"),
    "track": (200, "<dd>{code}</dd>"),
    "worklist": (200, 'data-testid="worklist-title"'),
    "dossier": (200, 'data-testid="code">{code}<'),
}
# What the dossier page says after a transition (views.dossier_action's messages).
DONE = "Đã thực hiện:"
REFUSED_MARKERS = ('class="message message-error', 'class="message message-warning')

_DOSSIER_LINK = re.compile(r'<td data-label="[^"]*"><a href="/ho-so/(\d+)/">([^<]+)</a>')
_FORM = re.compile(r'<form method="post" action="/ho-so/(\d+)/([a-z_]+)/" class="action-form">(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')
_SELECT_FIRST = re.compile(r'<select name="([a-z_]+)">\s*<option value="([^"]*)"', re.S)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# The transition each role tries first, in order (the first the page offers is fired).
PREFERRED = {
    "appraiser": ("propose", "resolve"),
    "approver": ("approve",),
    "reception": ("assign", "resolve", "return_result"),
}
# Fields a transition needs beyond what the form already carries (hidden inputs, the first option of a select).
EXTRA = {"propose": {"proposal": "approve", "result_summary": "Đủ điều kiện giải quyết (kiểm thử tải)."}}


def check(page: str, status: int, text: str, **values) -> str | None:
    """None when the response is the expected page; else what is wrong (for the error report)."""
    want_status, marker = MARKERS[page]
    if status != want_status:
        return f"{page}: HTTP {status} (expected {want_status})"
    marker = marker.format(**{k: html.escape(str(v)) for k, v in values.items()})
    if marker not in text:
        return f"{page}: the page lacks {marker!r}"
    return None


def dossier_rows(text: str) -> list[tuple[int, str]]:
    """(pk, code) of the worklist's rows, in order."""
    return [(int(pk), html.unescape(code)) for pk, code in _DOSSIER_LINK.findall(text)]


def csrf_token(text: str) -> str | None:
    match = _CSRF.search(text)
    return match.group(1) if match else None


def action_forms(text: str) -> dict[str, dict[str, str]]:
    """The dossier page's transition forms: name -> the fields to post (hidden inputs, the first option of each
    select, CSRF token included)."""
    forms = {}
    for _pk, name, body in _FORM.findall(text):
        fields = {k: html.unescape(v) for k, v in _HIDDEN.findall(body)}
        for k, v in _SELECT_FIRST.findall(body):
            fields.setdefault(k, html.unescape(v))
        token = csrf_token(body)
        if token:
            fields["csrfmiddlewaretoken"] = token
        forms[name] = fields
    return forms


def choose_transition(role: str, forms: dict[str, dict[str, str]]) -> tuple[str, dict[str, str]] | None:
    """The transition this role fires on a dossier page offering `forms`, with the data to post; None when the
    page offers none of the role's routine moves."""
    for name in PREFERRED.get(role, ()):
        if name in forms:
            return name, {**forms[name], **EXTRA.get(name, {})}
    return None


def outcome(text: str) -> str:
    """After a transition's redirect: "done", "refused" (the page shows the refusal: a stale page, a rule), or
    "unknown" (neither message: an error)."""
    if DONE in text:
        return "done"
    if any(m in text for m in REFUSED_MARKERS):
        return "refused"
    return "unknown"
