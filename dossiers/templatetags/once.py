"""`{% once_field %}`: the hidden one-time key of a creating form (see dossiers/idempotency.py).

A form re-rendered after a refused submission keeps the key it was posted with, so going Back to
any earlier rendering of it and submitting again still finds the first result."""

from django import template
from django.utils.html import format_html

from ..idempotency import _FORM_KEY, FIELD, new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def once_field(context) -> str:
    request = context.get("request")
    posted = request.POST.get(FIELD, "") if request is not None and request.method == "POST" else ""
    key = posted if _FORM_KEY.match(posted) else new_key()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key)
