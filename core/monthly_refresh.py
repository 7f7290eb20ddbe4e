"""The commands that rebuild monthly tables (`refresh_dossier_stats`, `refresh_satisfaction_stats`,
`recompute_metrics`) share one shape: `--from 2026-01 --to 2026-06` (default: the previous and this month),
checked with a Vietnamese error (core.periods.month_range), one refresh over the range, one line of output.
A command says what it refreshes (`refresh`) and how its line reads (`done`)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from .periods import month_range


class MonthlyRefreshCommand(BaseCommand):
    # The line written when done; fields: rows, first and last (months), seconds.
    done = "Đã tính {rows:,} dòng số liệu từ {first:%m/%Y} đến {last:%m/%Y}."
    success_style = False  # write the line in the terminal's success colour

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="tháng đầu, dạng 2026-01")
        parser.add_argument("--to", dest="last", help="tháng cuối, dạng 2026-06")

    def refresh(self, *, first: dt.date, last: dt.date) -> int:
        """Rebuild the months first..last (first days of months); the number of rows written."""
        raise NotImplementedError

    def kept(self, *, first: dt.date, last: dt.date) -> list[dt.date]:
        """Months of the range the refresh leaves as they are (closed months); none by default."""
        return []

    def handle(self, *args, first=None, last=None, **options):
        try:
            first_month, last_month = month_range(first, last)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        started = time.perf_counter()
        rows = self.refresh(first=first_month, last=last_month)
        line = self.done.format(rows=rows, first=first_month, last=last_month, seconds=time.perf_counter() - started)
        self.stdout.write(self.style.SUCCESS(line) if self.success_style else line)
        kept = self.kept(first=first_month, last=last_month)
        if kept:
            self.stdout.write("Các tháng đã chốt số liệu được giữ nguyên: " + ", ".join(f"{m:%m/%Y}" for m in kept)
                              + " (xóa tháng đó trong trang quản trị “Tháng đã chốt số liệu” để tính lại).")
