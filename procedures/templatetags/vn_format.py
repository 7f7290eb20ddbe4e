"""Vietnamese number formats: 1.250.000 đồng (dot as the thousands separator)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """200000 -> '200.000 đồng'."""
    try:
        value = int(Decimal(str(amount)))
    except (ArithmeticError, ValueError, TypeError):
        return ""
    return f"{value:,}".replace(",", ".") + " đồng"
