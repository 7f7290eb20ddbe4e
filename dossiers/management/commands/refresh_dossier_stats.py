"""python manage.py refresh_dossier_stats [--from 2026-01] [--to 2026-06]

Recompute the monthly counts per agency (received, finished early / on time / late, in progress,
apology letters). Without arguments: the previous and the current month (what the nightly task
does). The status-sync counts are nationalportal's (nationalportal.stats; `recompute_metrics` refreshes
every monthly table).
"""

from core.monthly_refresh import MonthlyRefreshCommand

from ...stats import closed_months, monthly_stats_refresh


class Command(MonthlyRefreshCommand):
    help = "Tính lại số liệu tháng của từng cơ quan (tiếp nhận, giải quyết trước/đúng/quá hạn, phiếu xin lỗi)."
    done = "Đã tính {rows:,} dòng số liệu từ {first:%m/%Y} đến {last:%m/%Y} ({seconds:.1f} s)."

    def refresh(self, *, first, last):
        return monthly_stats_refresh(first=first, last=last)

    def kept(self, *, first, last):
        return sorted(closed_months(first, last))
