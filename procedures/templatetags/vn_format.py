"""Vietnamese number formats: 1.250.000 đồng (dot as the thousands separator)."""

import datetime as dt
from decimal import Decimal

from django import template
from num2words import num2words

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """200000 -> '200.000 đồng'."""
    try:
        value = int(Decimal(str(amount)))
    except (ArithmeticError, ValueError, TypeError):
        return ""
    return f"{value:,}".replace(",", ".") + " đồng"


@register.filter
def vnd_words(amount) -> str:
    """125000 -> 'Một trăm hai mươi lăm nghìn đồng' (the amount in words on receipts)."""
    try:
        value = int(Decimal(str(amount)))
    except (ArithmeticError, ValueError, TypeError):
        return ""
    words = "không" if value == 0 else num2words(value, lang="vi")
    return words[:1].upper() + words[1:] + " đồng"


@register.filter
def vn_date(value) -> str:
    """'2014-11-20' (as stored in JSON) or a date -> '20/11/2014'."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")
