"""python manage.py risk_digest [--date YYYY-MM-DD]

Sends the morning digest of dossiers at risk of being late to the head of each agency (what beat runs at 07:30):
one e-mail and one in-portal notice per head and day, so running it again the same day sends nothing more.
`--date` names the day of the digest (default today; not a day still to come)."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError

from ...lateness.digest import risk_digest_send


class Command(BaseCommand):
    help = "Gửi bản tin hồ sơ có nguy cơ trễ hẹn cho thủ trưởng các cơ quan (mỗi người một lần mỗi ngày)."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="ngày của bản tin (YYYY-MM-DD), mặc định: hôm nay")

    def handle(self, *args, day=None, **options):
        try:
            counts = risk_digest_send(day=day)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{counts['heads']:,} thủ trưởng có hồ sơ có nguy cơ trễ hẹn ({counts['dossiers']:,} hồ sơ được liệt kê); "
            f"đã gửi {counts['emails']:,} e-mail và {counts['notices']:,} thông báo mới.")
