"""python manage.py recompute_metrics --from 2026-01 --to 2026-06: rebuild the monthly tables the index
reads (dossier counts, status-sync counts, satisfaction inputs) and the metric snapshots, for any range of months."""

from core.monthly_refresh import MonthlyRefreshCommand
from dossiers.stats import closed_months, monthly_stats_refresh
from nationalportal.stats import monthly_sync_refresh
from parindex.services import figures_refresh
from satisfaction.stats import monthly_satisfaction_refresh


class Command(MonthlyRefreshCommand):
    help = "Tính lại số liệu tháng và ảnh chụp chỉ số cho một khoảng tháng (mặc định: tháng trước và tháng này)."
    done = "Đã tính {rows} dòng chỉ số cho {first:%m/%Y}–{last:%m/%Y}."
    success_style = True

    def refresh(self, *, first, last):
        monthly_stats_refresh(first=first, last=last)
        monthly_sync_refresh(first=first, last=last)
        monthly_satisfaction_refresh(first=first, last=last)
        return figures_refresh(first=first, last=last)

    def kept(self, *, first, last):
        return sorted(closed_months(first, last))
