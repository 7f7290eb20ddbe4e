"""Quarter and year totals (PeriodTotal) give exactly what adding up the months gives, for any period; the
stored rankings of this month, quarter and year are exactly the rankings scored on the fly."""

import datetime as dt
import random
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from dossiers.stats import months
from dossiers.tests.conftest import at
from parindex import selectors
from parindex.metrics import METRICS, STOCKS, aggregate, period_values, pieces, rollups_refresh, snapshots_refresh
from parindex.models import MetricSnapshot, PeriodKind, PeriodTotal, RankedPeriod, RankedScore, Scope
from parindex.ranking import agency_scores, preset_period, ranked_periods_refresh
from parindex.services import figures_refresh
from parindex.tests.test_metrics_and_dashboard import MARCH, _month

pytestmark = pytest.mark.django_db
FIRST, LAST = dt.date(2023, 11, 1), dt.date(2026, 12, 1)
ALL_MONTHS = months(FIRST, LAST)


@given(st.sampled_from(ALL_MONTHS), st.sampled_from(ALL_MONTHS))
@settings(max_examples=200, deadline=None)
def test_pieces_cover_each_month_of_the_period_once(a, b):
    first, last = min(a, b), max(a, b)
    years, quarters, singles = pieces(first, last)
    covered = [m for y in years for m in months(y, y.replace(month=12))]
    covered += [m for q in quarters for m in months(q, q.replace(month=q.month + 2))]
    covered += singles
    assert sorted(covered) == months(first, last)  # every month once, none outside
    assert all(q.month in (1, 4, 7, 10) for q in quarters) and all(y.month == 1 for y in years)
    assert len(singles) <= 4 and len(quarters) <= 6  # a period reads a handful of pieces, whatever its length


def _random_snapshots(agencies, seed=7):
    """Snapshots with gaps (months without data, metrics missing), stocks, and denominators that are sometimes
    empty: what a real province's tables look like."""
    rnd = random.Random(seed)
    rows, now = [], timezone.now()
    for agency in agencies:
        for scope in (Scope.AGENCY, Scope.PROVINCE):
            for month in ALL_MONTHS:
                if rnd.random() < 0.25:
                    continue  # nothing this month
                for metric, spec in METRICS.items():
                    if rnd.random() < 0.2:
                        continue
                    den = rnd.randint(0, 50) if spec.has_denominator and rnd.random() < 0.9 else None
                    rows.append(MetricSnapshot(agency=agency, scope=scope, month=month, metric=metric,
                                               numerator=rnd.randint(0, 40), denominator=den, computed_at=now))
    MetricSnapshot.objects.bulk_create(rows)


def _by_months(first, last, scope, agency_ids):
    """The oracle: the months' rows added up one agency at a time (metrics.aggregate: flows summed, stocks of
    the agency's last month with data)."""
    rows = MetricSnapshot.objects.filter(scope=scope, month__gte=first, month__lte=last, agency_id__in=agency_ids)
    per_agency = {}
    for r in rows.values("agency_id", "month", "metric", "numerator", "denominator"):
        per_agency.setdefault(r["agency_id"], []).append(r)
    return {agency_id: aggregate(agency_rows) for agency_id, agency_rows in per_agency.items()}


def test_period_values_from_the_totals_equal_the_months_added_up(world):
    agencies = [world.pleiku, world.quynhon, world.pleiku.province]
    ids = [a.pk for a in agencies]
    _random_snapshots(agencies)
    written = rollups_refresh(first=FIRST, last=LAST)
    assert written == PeriodTotal.objects.count() > 0
    assert PeriodTotal.objects.filter(kind=PeriodKind.YEAR, start=dt.date(2024, 1, 1)).exists()
    rnd = random.Random(3)
    periods = [(FIRST, LAST), (dt.date(2024, 1, 1), dt.date(2025, 12, 1)), (dt.date(2024, 2, 1), dt.date(2026, 5, 1)),
               (dt.date(2026, 12, 1), dt.date(2026, 12, 1)), (dt.date(2026, 1, 1), dt.date(2026, 12, 1))]
    periods += [tuple(sorted(rnd.sample(ALL_MONTHS, 2))) for _ in range(25)]
    for first, last in periods:
        for scope in (Scope.AGENCY, Scope.PROVINCE):
            assert period_values(first=first, last=last, scope=scope, agency_ids=ids) == \
                _by_months(first, last, scope, ids), (first, last, scope)
    # a stock comes from the agency's last month with data in the period, even inside a year's total
    assert any(m in STOCKS for values in period_values(first=FIRST, last=LAST, agency_ids=ids).values()
               for m in values)


def test_a_refreshed_month_updates_its_quarter_and_year(world):
    march = dt.date(2026, 3, 1)
    MetricSnapshot.objects.create(agency=world.pleiku, month=march, metric="received", numerator=4,
                                  computed_at=timezone.now())
    rollups_refresh(first=march, last=march)
    assert period_values(first=dt.date(2026, 1, 1), last=dt.date(2026, 12, 1),
                         agency_ids=[world.pleiku.pk])[world.pleiku.pk]["received"] == (4, None)
    MetricSnapshot.objects.filter(month=march).update(numerator=9)
    rollups_refresh(first=march, last=march)
    year = PeriodTotal.objects.get(agency=world.pleiku, kind=PeriodKind.YEAR, start=dt.date(2026, 1, 1),
                                   metric="received")
    quarter = PeriodTotal.objects.get(agency=world.pleiku, kind=PeriodKind.QUARTER, start=dt.date(2026, 1, 1),
                                      metric="received")
    assert (year.numerator, quarter.numerator, year.last_month) == (9, 9, march)
    MetricSnapshot.objects.filter(month=march).delete()  # nothing counted any more: the totals go too
    rollups_refresh(first=march, last=march)
    assert not PeriodTotal.objects.filter(agency=world.pleiku).exists()


def test_the_migration_fills_the_totals_of_existing_snapshots(world):
    agencies = [world.pleiku, world.quynhon]
    _random_snapshots(agencies, seed=11)
    rollups_refresh(first=FIRST, last=LAST)
    expected = sorted(PeriodTotal.objects.values_list("agency_id", "scope", "kind", "start", "metric", "numerator",
                                                      "denominator", "last_month"))
    PeriodTotal.objects.all().delete()
    import_module("parindex.migrations.0006_period_totals_stored_rankings").fill_totals(django_apps, None)
    assert sorted(PeriodTotal.objects.values_list("agency_id", "scope", "kind", "start", "metric", "numerator",
                                                  "denominator", "last_month")) == expected


def _store(now):
    """What figures_refresh does after recomputing the snapshots (here made up rather than counted)."""
    rollups_refresh(first=FIRST, last=LAST, now=now)
    ranked_periods_refresh(now=now)


def test_stored_rankings_are_the_rankings_scored_on_the_fly(world):
    _random_snapshots([world.pleiku, world.quynhon], seed=5)
    now = at(2026, 12, 7, 8)
    _store(now)
    assert sorted(RankedPeriod.objects.values_list("preset", flat=True)) == ["12-thang", "nam", "quy", "thang"]
    ids = [world.pleiku.pk, world.quynhon.pk, world.pleiku.province.pk]
    today = timezone.localtime(now).date()
    for preset in ("thang", "quy", "nam", "12-thang"):
        first, last = preset_period(preset, today)
        stored, computed_at = selectors.stored_scores(preset, first, last)
        assert computed_at == now
        live = agency_scores(ids, first, last, preset)
        assert live and {a: stored[a] for a in live} == live  # the same rows, the same numbers
        on_the_fly = selectors.ranking(ids, first, last)  # no preset: scored now
        assert selectors.ranking(ids, first, last, preset) == on_the_fly
    # a new snapshot refresh drops the stored rankings (scored on the fly until stored again): never stale
    snapshots_refresh(first=LAST, last=LAST, now=now)
    assert not RankedPeriod.objects.exists() and not RankedScore.objects.exists()
    assert selectors.stored_scores("nam", *preset_period("nam", today)) is None


@pytest.mark.parametrize(("today", "first"), [
    (dt.date(2026, 12, 7), dt.date(2026, 1, 1)), (dt.date(2026, 1, 31), dt.date(2025, 2, 1)),
    (dt.date(2026, 11, 1), dt.date(2025, 12, 1)), (dt.date(2027, 3, 15), dt.date(2026, 4, 1)),
])
def test_the_last_twelve_months_are_this_month_and_the_eleven_before(today, first):
    assert preset_period("12-thang", today) == (first, today.replace(day=1))
    # compared with the twelve months just before
    assert selectors.previous_period(first, today.replace(day=1), "12-thang") == (
        first.replace(year=first.year - 1), today.replace(day=1, year=today.year - 1))


def test_the_last_twelve_months_are_a_stored_preset_on_every_page(world, client, demo, time_machine):
    time_machine.move_to(at(2026, 12, 7, 9), tick=False)
    _random_snapshots([world.pleiku, world.quynhon], seed=21)
    _store(at(2026, 12, 7, 8, 55))
    period = RankedPeriod.objects.get(preset="12-thang")
    assert (period.first, period.last) == (dt.date(2026, 1, 1), dt.date(2026, 12, 1))
    ids = [world.pleiku.pk, world.quynhon.pk]
    live = agency_scores(ids, period.first, period.last)  # scored now over the same months
    assert {a: period.scores.get(agency_id=a).row for a in live} == live
    row = RankedScore.objects.get(period=period, agency=world.quynhon)
    row.row = {**row.row, "score": 99.25}  # what the overview shows is the stored row
    row.save()
    client.force_login(demo.user("noivu@demo.gov.vn"))
    page = client.get("/chi-so/", {"ky": "12-thang"})
    assert page.status_code == 200
    assert (page.context["first"], page.context["last"], page.context["preset"]) == (
        dt.date(2026, 1, 1), dt.date(2026, 12, 1), "12-thang")
    top = page.context["rows"][0]
    assert (top["name"], top["score"]) == (world.quynhon.name, 99.25)
    html = page.content.decode()
    assert 'class="btn btn-outline active" href="?ky=12-thang"' in html
    assert 'href="?ky=12-thang&amp;sap-xep=score&amp;xuat=xlsx"' in html  # the export of what the page shows
    export = client.get("/chi-so/", {"ky": "12-thang", "sap-xep": "score", "xuat": "csv"})
    assert export.status_code == 200 and world.quynhon.name in export.content.decode("utf-8-sig")
    assert "08:55 07/12/2026" in html
    # the agency page and the breakdown keep the period in their links
    agency = client.get(f"/chi-so/co-quan/{world.pleiku.pk}/", {"ky": "12-thang"})
    assert agency.status_code == 200 and (agency.context["first"], agency.context["last"]) == (
        dt.date(2026, 1, 1), dt.date(2026, 12, 1))
    assert "ky=12-thang" in agency.content.decode()


def test_the_overview_reads_the_stored_ranking_and_says_when_it_was_computed(world, client, demo, time_machine):
    time_machine.move_to(at(2026, 12, 7, 9), tick=False)
    _random_snapshots([world.pleiku, world.quynhon], seed=9)
    _store(at(2026, 12, 7, 8, 55))
    period = RankedPeriod.objects.get(preset="nam")
    row = RankedScore.objects.get(period=period, agency=world.pleiku)
    row.row = {**row.row, "score": 99.5}  # what the page shows is the stored row
    row.save()
    client.force_login(demo.user("noivu@demo.gov.vn"))
    page = client.get("/chi-so/", {"ky": "nam"})
    html = page.content.decode()
    assert page.status_code == 200
    first = page.context["rows"][0]
    assert (first["name"], first["score"], first["rank"]) == (world.pleiku.name, 99.5, 1)
    assert "08:55 07/12/2026" in html  # the figures' time


def test_figures_refresh_counts_the_months_then_stores_totals_and_rankings(world):
    _month(world)
    now = at(2026, 4, 2)
    figures_refresh(first=MARCH, last=MARCH, now=now)
    year = PeriodTotal.objects.get(agency=world.pleiku, scope=Scope.AGENCY, kind=PeriodKind.YEAR,
                                   start=dt.date(2026, 1, 1), metric="received")
    assert (year.numerator, year.last_month) == (4, MARCH)  # the four dossiers received in March
    period = RankedPeriod.objects.get(preset="quy")
    assert (period.first, period.last, period.computed_at) == (dt.date(2026, 4, 1), dt.date(2026, 4, 1), now)
    nam = RankedPeriod.objects.get(preset="nam")
    assert nam.scores.get(agency=world.pleiku).row["received"] == 4


def test_a_period_chosen_by_hand_is_scored_once_then_read_until_the_next_refresh(world, monkeypatch):
    from parindex import ranking as ranking_module

    _random_snapshots([world.pleiku, world.quynhon], seed=13)
    _store(at(2026, 12, 7, 8))
    scored = []
    real = ranking_module.agency_scores

    def counting(agency_ids, first, last, preset=""):
        if not preset:  # a period chosen by hand (the refresh scores its presets)
            scored.append(sorted(agency_ids))
        return real(agency_ids, first, last, preset)

    monkeypatch.setattr(ranking_module, "agency_scores", counting)
    first, last = dt.date(2025, 3, 1), dt.date(2026, 2, 1)  # twelve months, not a preset
    province = world.pleiku.province.pk  # a root without snapshots of its own: no dossier in the period
    alone = selectors.ranking([world.pleiku.pk], first, last)
    assert scored == [[world.pleiku.pk]]
    assert selectors.ranking([world.pleiku.pk], first, last) == alone and len(scored) == 1  # read, not scored
    everyone = [world.pleiku.pk, world.quynhon.pk, province]
    rows = selectors.ranking(everyone, first, last)
    assert scored[1] == sorted([world.quynhon.pk, province])  # only the agencies not stored yet
    assert {r["agency_id"]: r["score"] for r in rows if r["score"] is not None} == \
        {a: row["score"] for a, row in real(everyone, first, last).items()}  # what scoring now gives
    assert next(r for r in rows if r["agency_id"] == province)["rank"] is None  # listed, not ranked
    assert selectors.ranking(everyone, first, last) == rows and len(scored) == 2  # the empty one is not rescored
    period = RankedPeriod.objects.get(preset="tuy-chon", first=first, last=last)
    assert period.scores.count() == 3
    # the next refresh drops it: the period is scored again from the new figures
    _store(at(2026, 12, 7, 8, 5))
    assert not RankedPeriod.objects.filter(preset="tuy-chon").exists()
    selectors.ranking([world.pleiku.pk], first, last)
    assert scored[-1] == [world.pleiku.pk] and len(scored) == 3


def test_rows_scored_while_a_refresh_commits_are_not_stored(world, monkeypatch):
    from parindex import ranking as ranking_module

    _random_snapshots([world.pleiku], seed=17)
    _store(at(2026, 12, 7, 8))
    real = ranking_module.agency_scores

    def refreshed_meanwhile(agency_ids, first, last, preset=""):
        rows = real(agency_ids, first, last, preset)
        if not preset:  # the 5-minute refresh commits while the period chosen by hand is scored
            ranked_periods_refresh(now=at(2026, 12, 7, 8, 5))
        return rows

    monkeypatch.setattr(ranking_module, "agency_scores", refreshed_meanwhile)
    first, last = dt.date(2025, 3, 1), dt.date(2026, 2, 1)
    rows = selectors.ranking([world.pleiku.pk], first, last)
    assert rows[0]["score"] is not None  # the page still gets its rows
    assert not RankedPeriod.objects.filter(preset="tuy-chon").exists()  # but they may predate the refresh


def test_before_the_first_refresh_a_period_chosen_by_hand_is_not_stored(world):
    _random_snapshots([world.pleiku], seed=19)
    rows = selectors.ranking([world.pleiku.pk], dt.date(2025, 3, 1), dt.date(2026, 2, 1))
    assert rows[0]["score"] is not None and not RankedPeriod.objects.exists()
