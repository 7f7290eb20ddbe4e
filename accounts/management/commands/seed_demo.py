"""Load the demo data of every app (idempotent): `python manage.py seed_demo`.

Each installed app may ship a `demo.py` with `seed(context)`; they run in INSTALLED_APPS order
(lowest layer first), inside one transaction, and share `context` (e.g. the agencies created).
Nothing is queued for the worker meanwhile (core.demo_mode): after `make run` the first real
e-mail is not stuck behind the demo's notifications.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo_mode import loading_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh, cơ quan, cán bộ, người dân); chạy lại không tạo trùng."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Không in danh sách tài khoản.")
        parser.add_argument("--skip", action="append", default=[], metavar="APP",
                            help="bỏ qua dữ liệu mẫu của ứng dụng này (có thể lặp lại), ví dụ --skip procedures")

    def handle(self, *args, quiet=False, skip=(), **options):
        context: dict = {}
        with loading_demo(), transaction.atomic():  # the commit's callbacks run inside loading_demo()
            for config in apps.get_app_configs():
                name = f"{config.name}.demo"
                if config.label in skip or find_spec(name) is None:
                    continue
                import_module(name).seed(context)
        if quiet:
            return
        rows = context.get("accounts", [])
        self.stdout.write(self.style.SUCCESS("Dữ liệu mẫu đã sẵn sàng. Tài khoản demo (mật khẩu chung: %s):"
                                             % context.get("password", "")))
        if "procedures" in context:
            counts = context["procedures"]
            self.stdout.write(f"Danh mục thủ tục: {counts['procedures']} thủ tục mới, {counts['unchanged']} đã có.")
        if "dossiers" in context:
            self.stdout.write(f"Hồ sơ mẫu: {context['dossiers']} hồ sơ mới.")
        header = ("Vai trò", "Cơ quan", "Email", "Điện thoại")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
        for row in [header, *rows]:
            self.stdout.write("  " + "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
