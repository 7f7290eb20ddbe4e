from django.core.management.base import BaseCommand

from dossiers.workflow import as_markdown


class Command(BaseCommand):
    help = "In bảng trạng thái và chuyển trạng thái của hồ sơ (Markdown, như trong README)."

    def handle(self, *args, **options):
        self.stdout.write(as_markdown())
