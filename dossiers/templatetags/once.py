"""`{% once_field %}`: the one-time key of a creating form (see dossiers/idempotency.py).

The key is generated when the form is rendered. It sits in `data-once-key` and static/js/once.js
copies it into the field: Chromium, going Back to the form, fetches the page again and restores only
the fields whose value differs from the HTML's, and never a type="hidden" one, so this is what
brings the first submission's key back with the restored form. A form re-rendered after a refused
submission keeps the key it was posted with."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from ..idempotency import _FORM_KEY, FIELD, new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def once_field(context) -> str:
    request = context.get("request")
    posted = request.POST.get(FIELD, "") if request is not None and request.method == "POST" else ""
    key = posted if _FORM_KEY.fullmatch(posted) else new_key()
    return format_html('<input type="text" name="{}" value="" data-once-key="{}" hidden aria-hidden="true">'
                       '<script src="{}" defer></script>', FIELD, key, static("js/once.js"))
