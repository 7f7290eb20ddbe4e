from django.core.management.base import CommandError

from accounts.models import Agency


def agency_or_none(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise CommandError(f"Không tìm thấy cơ quan có mã {code!r}.")
    return agency
