from django.core.management.base import BaseCommand

from dossiers.policies import rules_as_markdown
from dossiers.workflow import as_markdown


class Command(BaseCommand):
    help = "In bảng trạng thái, chuyển trạng thái và quyền tải tệp của hồ sơ (Markdown, như trong README)."

    def handle(self, *args, **options):
        self.stdout.write(as_markdown())
        self.stdout.write("\n" + rules_as_markdown())
