"""python manage.py refresh_satisfaction_stats [--from 2026-01] [--to 2026-06]"""

from core.monthly_refresh import MonthlyRefreshCommand
from dossiers.stats import closed_months

from ...stats import monthly_satisfaction_refresh


class Command(MonthlyRefreshCommand):
    help = "Tính lại số liệu hài lòng theo tháng (đầu vào nhóm chỉ số hài lòng của Quyết định 766)."
    done = "Đã tính {rows:,} dòng số liệu hài lòng từ {first:%m/%Y} đến {last:%m/%Y}."

    def refresh(self, *, first, last):
        return monthly_satisfaction_refresh(first=first, last=last)

    def kept(self, *, first, last):
        return sorted(closed_months(first, last))
