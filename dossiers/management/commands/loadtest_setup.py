"""Prepare the load test (tests/load/locustfile.py): staff sessions, tracking codes and catalogue pages.

    python manage.py loadtest_setup [--staff 50] [--tracking 2000] [--procedures 500] [--output var/loadtest.json]
    python manage.py loadtest_setup --clear var/loadtest.json     # delete the sessions the file lists

- **Staff**: one generated officer (`generate_province`'s accounts, `@sinh-du-lieu.invalid`) in each of the
  --staff agencies with the most work, roles in turn (appraiser, approver, reception) where that role has
  dossiers to move, so that no two simulated officers share a queue (no one fights over a dossier). Each gets a
  session written straight into the session store, as a login would: the login page is rate-limited (axes) and
  these accounts have no usable password. Only generated accounts are ever given a session, so this cannot be
  used to act as a real officer.
- **Citizens**: --tracking random (code, PIN) pairs of received dossiers (the tracking page needs both), and
  --procedures codes of procedures in force (their pages), written to the same JSON file.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from accounts.models import StaffRole, User
from procedures.selectors import versions_in_force

from ...models import Dossier
from ...workflow import Status

GENERATED = "@sinh-du-lieu.invalid"
BACKEND = "accounts.backends.EmailOrPhoneBackend"
ROLES = ("appraiser", "approver", "reception")
# The dossiers each role moves from its "mine" queue (tests/load/pages.PREFERRED): the appraiser its own
# dossiers in appraisal, the leader those awaiting approval, the desk those to assign, resolve or hand back.
WORK = {"appraiser": Q(status=Status.IN_APPRAISAL),
        "approver": Q(status=Status.AWAITING_APPROVAL),
        "reception": Q(status__in=[Status.RECEIVED, Status.APPROVED, Status.REFUSED, Status.RESULT_READY])}


def _store():
    return importlib.import_module(settings.SESSION_ENGINE).SessionStore


class Command(BaseCommand):
    help = ("Chuẩn bị kiểm thử tải: phiên đăng nhập của cán bộ sinh dữ liệu, mã hồ sơ + PIN để tra cứu, mã thủ "
            "tục; ghi ra một tệp JSON cho tests/load/locustfile.py.")

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, default=50)
        parser.add_argument("--tracking", type=int, default=2000)
        parser.add_argument("--procedures", type=int, default=500)
        parser.add_argument("--output", default=str(Path(settings.VAR_DIR) / "loadtest.json"))
        parser.add_argument("--clear", metavar="FILE", help="xoá các phiên đăng nhập mà tệp liệt kê")

    def handle(self, *args, staff, tracking, procedures, output, clear=None, **options):
        if clear:
            return self._clear(Path(clear))
        if not 1 <= staff <= 1000 or not 1 <= tracking <= 100_000 or not 1 <= procedures <= 100_000:
            raise CommandError("--staff từ 1 đến 1.000; --tracking, --procedures từ 1 đến 100.000.")
        officers = self._officers(staff)
        if len(officers) < staff:
            raise CommandError(f"Chỉ có {len(officers)} cán bộ sinh dữ liệu có việc (cần {staff}): chạy "
                               "generate_province với nhiều cơ quan, hồ sơ hơn.")
        store = _store()
        for row in officers:
            user = User.objects.get(pk=row.pop("user"))
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = BACKEND
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            row["session"] = session.session_key
        pairs = list(Dossier.objects.exclude(code=None).exclude(pin="").order_by("?")
                     .values_list("code", "pin")[:tracking])
        codes = list(versions_in_force().order_by("?").values_list("procedure__code", flat=True)[:procedures])
        if not pairs or not codes:
            raise CommandError("Chưa có hồ sơ hoặc thủ tục (chạy seed_demo, generate_province trước).")
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"staff": officers, "tracking": pairs, "procedures": codes}, ensure_ascii=False,
                                   indent=1), encoding="utf-8")
        self.stdout.write(f"{len(officers)} phiên cán bộ, {len(pairs)} mã tra cứu, {len(codes)} thủ tục -> {path}")

    @staticmethod
    def _officers(wanted: int) -> list[dict]:
        """One generated officer per agency, the agencies with the most open work first, roles in turn: each agency
        gets the role chosen least so far that has work there, so an agency with nothing awaiting approval does
        not leave the run without a leader (its turn passes to the next agency)."""
        open_work = Dossier.objects.filter(status__in=[s for q in WORK.values() for s in _statuses(q)])
        agencies = [a for a, _n in open_work.values_list("handling_agency").annotate(n=Count("id"))
                    .order_by("-n", "handling_agency")]
        return roles_in_turn(agencies, wanted, _officer)

    def _clear(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            keys = [row["session"] for row in data["staff"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from exc
        store = _store()
        for key in keys:
            store(session_key=key).delete()
        self.stdout.write(f"Đã xoá {len(keys)} phiên đăng nhập.")


def _statuses(q: Q) -> list[str]:
    (lookup, value), = q.children
    return [value] if lookup == "status" else list(value)


def _officer(agency_id: int, role: str) -> dict | None:
    """The generated officer in `role` at the agency with the most dossiers to move (an appraiser: assigned to
    them), if there is work for that role there."""
    holders = StaffRole.objects.filter(agency_id=agency_id, role=role, user__email__endswith=GENERATED,
                                       user__is_active=True)
    work = Dossier.objects.filter(WORK[role], handling_agency_id=agency_id)
    best = None
    for sr in holders.select_related("user", "agency"):
        n = work.filter(assignee=sr.user).count() if role == "appraiser" else work.count()
        if n and (best is None or n > best[0]):
            best = (n, sr)
    if best is None:
        return None
    n, sr = best
    return {"user": sr.user_id, "email": sr.user.email, "role": role, "agency": sr.agency.code, "work": n}


def roles_in_turn(agencies: list[int], wanted: int, officer_for) -> list[dict]:
    """`officer_for(agency, role)` (an officer with work in that role there, or None) for the agencies in order,
    one each, until `wanted`: each agency takes the role chosen least so far, in turn, that has work there."""
    chosen, turn, counts = [], 0, dict.fromkeys(ROLES, 0)
    for agency_id in agencies:
        if len(chosen) == wanted:
            break
        for role in sorted(ROLES, key=lambda r: (counts[r], (ROLES.index(r) - turn) % len(ROLES))):
            found = officer_for(agency_id, role)
            if found:
                chosen.append(found)
                counts[role] += 1
                turn = (ROLES.index(role) + 1) % len(ROLES)
                break
    return chosen
