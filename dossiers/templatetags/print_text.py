"""Filters for the printed forms."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

# The names of State organs that must never break across a line ("Ủy / ban nhân dân"), in any case
# and in both spellings of "Ủy"; the rest of an agency's name may wrap.
ORGANS = re.compile(r"(?:ủy|uỷ) ban nhân dân|hội đồng nhân dân|bộ phận một cửa|cộng hòa xã hội chủ nghĩa việt nam",
                    re.IGNORECASE)


@register.filter
def organ(name) -> str:
    """Escape `name` and keep each organ name in it on one line."""
    text = escape(name or "")
    return mark_safe(ORGANS.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', text))


@register.filter
def organ_head(name) -> str:
    """An agency's name in a form's header block: the organ on its own line, then the place
    ("ỦY BAN NHÂN DÂN" / "PHƯỜNG PLEIKU"), as official headers are laid out."""
    text = " ".join(str(name or "").split())
    match = ORGANS.match(text)
    if match is None or match.end() == len(text):
        return organ(text)
    return mark_safe(f'<span class="nowrap">{escape(match.group(0))}</span><br>'
                     f'{escape(text[match.end():].strip())}')
