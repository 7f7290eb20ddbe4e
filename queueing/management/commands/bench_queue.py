"""A busy morning on the desk floor, in threads, against PostgreSQL:

    python manage.py bench_queue --counters 50 --kiosks 10 --seconds 600 [--agency BENCH.Q] [--keep]

It sets up a bench centre (services, counters each opened by its own reception officer), then runs kiosk
threads issuing tickets, one thread per counter calling the next ticket, serving, finishing, now and then
marking a no-show or transferring the citizen to another counter, and one display thread polling
`selectors.display_state(agency, after=last)` every 0.5 s. It then checks, from the database:

- duplicates: a ticket called again without a transfer in between (CALLED events per ticket beyond 1 + its
  TRANSFERRED events) — must be 0;
- lost tickets: issued (a kiosk got it) but missing, or neither called nor still waiting — must be 0;
  numbering gaps per service and day — must be 0;
- call → display latency: from the commit of a call to the display thread first seeing its announcement
  (median, p95, max), and calls the display never saw;
- call_next latency (median, p95) and throughput.

Its data (the centre, its staff and tickets) is deleted at the end unless --keep.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter as Tally
from collections import defaultdict, deque

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, AgencyLevel, Role, StaffRole, User
from core.bench import p95
from core.errors import DomainError

from ... import selectors, services
from ...models import Announcement, Appointment, Counter, DailySequence, Service, Ticket, TicketEvent, TicketEventType

BENCH_NAME = "Trung tâm đo tải xếp hàng (bench_queue)"
STAFF_ROLE = Role.RECEPTION  # the role the bench officers are given (data, not a permission check)
SERVICES = [("1", "Hộ tịch"), ("2", "Đất đai"), ("3", "Kinh doanh"), ("4", "Xây dựng"), ("5", "Tư pháp")]


def _fmt(values: list[float], unit: str = "ms") -> str:
    if not values:
        return "—"
    return (f"median {statistics.median(values):.1f} {unit}, p95 {p95(values):.1f} {unit}, "
            f"max {max(values):.1f} {unit} (n={len(values)})")


class Command(BaseCommand):
    help = "Đo tải quầy xếp hàng: nhiều máy lấy số, nhiều quầy gọi số và màn hình hiển thị cùng lúc (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--counters", type=int, default=50)
        parser.add_argument("--kiosks", type=int, default=10)
        parser.add_argument("--seconds", type=float, default=600)
        parser.add_argument("--agency", default="BENCH.Q", help="the bench centre's code (created, then deleted)")
        parser.add_argument("--keep", action="store_true", help="keep the bench data at the end")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--pace", type=float, default=1.0,
                            help="multiplies every pause (kiosk, service, display): < 1 is busier")

    # -- set-up and clean-up ----------------------------------------------------------------------------

    def _setup(self, code: str, counters: int):
        existing = Agency.objects.filter(code=code).first()
        if existing is not None:
            if existing.name != BENCH_NAME:
                raise CommandError(_("Đã có cơ quan mã %s không phải trung tâm đo tải: hãy chọn --agency khác.")
                                   % code)
            self._cleanup(existing)
        agency = Agency.objects.create(name=BENCH_NAME, code=code, level=AgencyLevel.COMMUNE)
        services_ = [Service.objects.create(agency=agency, code=c, name=n, order=i)
                     for i, (c, n) in enumerate(SERVICES)]
        pairs = []
        for n in range(1, counters + 1):
            counter = Counter.objects.create(agency=agency, number=n)
            counter.services.set(services_)
            officer = User.objects.create_user(f"bench-queue-{code.lower()}-{n}@bench.invalid", None,
                                               full_name=f"Cán bộ đo tải {n}")
            StaffRole.objects.create(user=officer, agency=agency, role=STAFF_ROLE)
            services.counter_open(counter=counter, officer=officer)
            pairs.append((counter, officer))
        return agency, services_, pairs

    @staticmethod
    def _cleanup(agency: Agency) -> None:
        with transaction.atomic():
            Announcement.objects.filter(agency=agency).delete()
            Ticket.objects.filter(agency=agency).delete()  # events cascade
            Appointment.objects.filter(agency=agency).delete()
            DailySequence.objects.filter(service__agency=agency).delete()
            users = list(StaffRole.objects.filter(agency=agency).values_list("user_id", flat=True))
            Counter.objects.filter(agency=agency).delete()
            Service.objects.filter(agency=agency).delete()
            StaffRole.objects.filter(agency=agency).delete()
            User.objects.filter(pk__in=users, email__endswith="@bench.invalid").delete()
            agency.delete()

    # -- the run ----------------------------------------------------------------------------------------

    def handle(self, *args, counters, kiosks, seconds, agency, keep, seed, pace, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("bench_queue cần PostgreSQL (khóa hàng SKIP LOCKED, nhiều kết nối cùng lúc); "
                                 "SQLite tuần tự hóa mọi lần ghi nên số đo không có ý nghĩa. "
                                 "Hãy đặt DATABASE_URL=postgres://…"))
        if counters < 1 or kiosks < 1 or seconds <= 0:
            raise CommandError(_("--counters, --kiosks và --seconds phải lớn hơn 0."))
        rng = random.Random(seed)
        centre, services_, pairs = self._setup(agency, counters)
        self.stdout.write(f"bench centre {centre.code}: {len(services_)} services, {counters} counters, "
                          f"{kiosks} kiosks, {seconds:g} s")
        try:
            result = self._run(centre, services_, pairs, kiosks, seconds, rng, pace)
            self._report(centre, result)
        finally:
            if not keep:
                self._cleanup(centre)
                self.stdout.write("bench data deleted (--keep to keep it)")
        return None

    def _run(self, centre, services_, pairs, kiosks, seconds, rng, pace) -> dict:
        lock = threading.Lock()
        stop = threading.Event()          # kiosks and counters stop
        display_stop = threading.Event()  # the display stops (after draining)
        issued: list[int] = []
        call_ms: list[float] = []
        empty_call_ms: list[float] = []
        pending: dict[tuple[str, int], deque] = defaultdict(deque)  # (code, counter number) -> commit times
        display_ms: list[float] = []
        seen_ids: set[int] = set()
        errors: Tally = Tally()
        counts: Tally = Tally()
        start = time.monotonic()
        deadline = start + seconds
        by_number = {c.number: c for c, _o in pairs}

        def guarded(fn):
            def run(*args):
                try:
                    fn(*args)
                except Exception as exc:  # noqa: BLE001 - counted and reported, the bench goes on
                    with lock:
                        errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
                finally:
                    connection.close()
            return run

        @guarded
        def kiosk(seed_):
            r = random.Random(seed_)
            while not stop.is_set():
                try:
                    t = services.ticket_issue(service=r.choice(services_), check_hours=False)
                except DomainError as exc:
                    with lock:
                        errors[f"issue {exc.code}"] += 1
                else:
                    with lock:
                        issued.append(t.pk)
                time.sleep(r.uniform(0.05, 0.4) * pace)

        @guarded
        def counter_loop(counter, officer, seed_):
            r = random.Random(seed_)
            others = [n for n in by_number if n != counter.number]
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    ticket = services.ticket_call_next(counter=counter, officer=officer)
                except DomainError as exc:
                    with lock:
                        errors[f"call {exc.code}"] += 1
                    continue
                committed = time.monotonic()
                elapsed = (time.perf_counter() - t0) * 1000
                if ticket is None:
                    with lock:
                        empty_call_ms.append(elapsed)
                    time.sleep(0.2 * pace)
                    continue
                with lock:
                    call_ms.append(elapsed)
                    pending[(ticket.code, counter.number)].append(committed)
                    counts["called"] += 1
                time.sleep(r.uniform(0.1, 0.5) * pace)  # the citizen walks up
                roll = r.random()
                try:
                    if roll < 0.05:
                        services.ticket_skip(counter=counter, officer=officer)
                        counts["no_show"] += 1
                    elif roll < 0.10 and others:
                        services.ticket_transfer(counter=counter, officer=officer,
                                                 to_counter=by_number[r.choice(others)])
                        counts["transferred"] += 1
                    elif roll < 0.50:
                        services.ticket_serve(counter=counter, officer=officer)
                        time.sleep(r.uniform(0.2, 1.5) * pace)
                        services.ticket_finish(counter=counter, officer=officer)
                        counts["finished"] += 1
                    else:
                        time.sleep(r.uniform(0.2, 1.5) * pace)  # finished by the next call
                except DomainError as exc:
                    with lock:
                        errors[f"act {exc.code}"] += 1

        @guarded
        def display():
            last = selectors.display_state(centre, after=-1)["last_id"]
            polls = 0
            while True:
                state = selectors.display_state(centre, after=last)
                seen = time.monotonic()
                polls += 1
                last = max(last, state["last_id"])
                with lock:
                    for call in state["calls"]:
                        if call["id"] in seen_ids:
                            continue  # sent again within the recent window: already shown
                        seen_ids.add(call["id"])
                        queue = pending.get((call["code"], call["counter"]))
                        if queue:
                            display_ms.append((seen - queue.popleft()) * 1000)
                    left = sum(len(q) for q in pending.values())
                if display_stop.is_set() and (left == 0 or time.monotonic() > deadline + 5):
                    break
                time.sleep(0.5 * pace)
            counts["polls"] = polls

        threads = [threading.Thread(target=kiosk, args=(rng.random(),), name=f"kiosk-{i}") for i in range(kiosks)]
        threads += [threading.Thread(target=counter_loop, args=(c, o, rng.random()), name=f"counter-{c.number}")
                    for c, o in pairs]
        shown = threading.Thread(target=display, name="display")
        shown.start()
        for t in threads:
            t.start()
        while time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        display_stop.set()
        shown.join()
        skipped = Announcement.objects.filter(agency=centre).exclude(pk__in=seen_ids).count()
        return {"skipped": skipped, "issued": issued, "call_ms": call_ms, "empty_call_ms": empty_call_ms,
                "display_ms": display_ms, "missed": sum(len(q) for q in pending.values()), "errors": errors,
                "counts": counts, "elapsed": elapsed}

    # -- the checks ---------------------------------------------------------------------------------------

    @staticmethod
    def floor_check(centre) -> dict:
        """Duplicates, lost tickets and numbering gaps, from the database alone (also used by the tests)."""
        per_ticket: dict[int, Tally] = defaultdict(Tally)
        for ticket_id, kind in TicketEvent.objects.filter(ticket__agency=centre, type__in=(
                TicketEventType.CALLED, TicketEventType.TRANSFERRED)).values_list("ticket_id", "type"):
            per_ticket[ticket_id][kind] += 1
        duplicates = sum(max(0, t[TicketEventType.CALLED] - 1 - t[TicketEventType.TRANSFERRED])
                         for t in per_ticket.values())
        tickets = list(Ticket.objects.filter(agency=centre).values_list("id", "service_id", "day", "number",
                                                                        "status", "called_at"))
        lost = sum(1 for _i, _s, _d, _n, status, called_at in tickets if called_at is None and status != "waiting")
        numbers: dict[tuple, list[int]] = defaultdict(list)
        for _i, service_id, day, number, _st, _c in tickets:
            numbers[(service_id, day)].append(number)
        gaps = sum(max(ns) - len(set(ns)) for ns in numbers.values())
        return {"tickets": len(tickets), "ids": {t[0] for t in tickets}, "duplicates": duplicates, "lost": lost,
                "gaps": gaps, "called": sum(1 for t in tickets if t[5] is not None),
                "waiting": sum(1 for t in tickets if t[4] == "waiting")}

    def _report(self, centre, r: dict) -> None:
        found = self.floor_check(centre)
        missing = len(set(r["issued"]) - found["ids"])
        lost = found["lost"] + missing
        elapsed = r["elapsed"]
        rows = [
            ("tickets issued", f"{len(r['issued'])} ({len(r['issued']) / elapsed:.1f}/s)"),
            ("tickets called", f"{found['called']} ({r['counts']['called'] / elapsed:.1f} calls/s)"),
            ("  finished / no-show / transferred",
             f"{r['counts']['finished']} / {r['counts']['no_show']} / {r['counts']['transferred']}"),
            ("still waiting at the end", str(found["waiting"])),
            ("DUPLICATES (must be 0)", str(found["duplicates"])),
            ("LOST tickets (must be 0)", f"{lost} (missing rows {missing})"),
            ("NUMBERING GAPS (must be 0)", str(found["gaps"])),
            ("call_next latency (a ticket)", _fmt(r["call_ms"])),
            ("call_next latency (none waiting)", _fmt(r["empty_call_ms"])),
            ("call -> display latency", _fmt(r["display_ms"])),
            ("calls never shown on the display", f"{r['missed']} (announcement rows never returned: {r['skipped']})"),
            ("display polls", str(r["counts"]["polls"])),
            ("errors", ", ".join(f"{k} ×{v}" for k, v in r["errors"].most_common()) or "0"),
        ]
        width = max(len(k) for k, _v in rows)
        self.stdout.write(f"{connection.vendor}, {timezone.localdate():%d/%m/%Y}, ran {elapsed:.1f} s")
        for key, value in rows:
            self.stdout.write(f"{key.ljust(width)}  {value}")
