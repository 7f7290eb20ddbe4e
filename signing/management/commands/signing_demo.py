"""`make run`'s demo signing set-up: a demo CA (marked "DEMO – không có giá trị pháp lý" on every stamp
and verification page), an organisation certificate per demo agency and a personal certificate per
approving leader (PKCS#12 under VAR_DIR/signing/officers/, registered on their account), so the whole
path — forms signed by the agency, a result signed "on the leader's PC" and uploaded — can be tried.
Run again, it adds only what is missing. Never for production: a province configures its own keys."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Agency, Role, StaffRole
from signing import config, democa
from signing.models import OfficerCertificate
from signing.services import officer_certificate_add


class Command(BaseCommand):
    help = "Tạo CA thử nghiệm và chứng thư số thử nghiệm cho các cơ quan, lãnh đạo của dữ liệu mẫu."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Chỉ dùng cho bản chạy thử (DEBUG): tỉnh phải cấu hình chứng thư số thật.")
        path = config.load().path
        if path.exists() and not config.load().demo:
            raise CommandError(f"{path} là cấu hình thật (không phải thử nghiệm): không ghi đè.")
        agencies = [(a.code, a.name) for a in Agency.objects.filter(is_active=True).exclude(code="").order_by("code")]
        leaders = {r.user for r in StaffRole.objects.filter(role=Role.APPROVER).select_related("user")}
        made = democa.write_demo(path.parent, agencies,
                                 [(f"leader-{u.pk}", u.full_name or u.email) for u in leaders])
        config.reset()
        by_stem = {f"leader-{u.pk}": u for u in leaders}
        for stem, cert in made["leaders"]:
            if not OfficerCertificate.objects.filter(user=by_stem[stem]).exists():
                officer_certificate_add(user=by_stem[stem], data=democa.pem(cert))
        self.stdout.write(f"Ký số thử nghiệm: {len(made['agencies'])} cơ quan, {len(made['leaders'])} lãnh đạo mới "
                          f"({path}).")
