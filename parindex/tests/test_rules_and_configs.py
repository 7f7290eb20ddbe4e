"""Scoring rules as data, the shipped configurations, and the Hòa Bình 2023 department table."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex import rules
from parindex.metrics import METRICS
from parindex.models import Criterion, IndexConfig
from parindex.portal766 import portal_score, portal_total
from parindex.score766 import QD766_2026, score
from parindex.scoring import config_766, evaluate
from parindex.services import config_copy

from .test_score766 import counts


@pytest.mark.parametrize(("rule", "num", "den", "expected"), [
    ({"kind": "linear"}, 45, 50, Decimal("9")),  # 10 × 0.9
    ({"kind": "threshold", "full_at": 0.8}, 60, 100, Decimal("7.5")),  # 10 × 0.6 / 0.8
    ({"kind": "threshold", "full_at": 0.8}, 90, 100, Decimal("10")),  # capped at max
    ({"kind": "bands", "bands": [[1.0, 1.0], [0.9, 0.5]]}, 100, 100, Decimal("10")),
    ({"kind": "bands", "bands": [[1.0, 1.0], [0.9, 0.5]]}, 95, 100, Decimal("5")),
    ({"kind": "bands", "bands": [[1.0, 1.0], [0.9, 0.5]]}, 89, 100, Decimal("0")),
    ({"kind": "linear", "when_empty": 10}, 0, 0, Decimal("10")),  # e.g. no feedback → full points
    ({"kind": "linear", "when_empty": None}, 0, 0, None),  # not applicable
    ({"kind": "percent"}, 55, None, Decimal("5.5")),
])
def test_each_rule_kind(rule, num, den, expected):
    rules.check_rule(rule)
    assert rules.points(rule, 10, num, den) == expected


def test_sums_weights_and_given_points():
    assert rules.points({"kind": "sum"}, 10, children={"a": Decimal(2), "b": None, "c": Decimal("1.5")}) == Decimal(
        "3.5")
    assert rules.points({"kind": "sum", "weights": {"a": 0.5}}, 10, children={"a": Decimal(4), "b": Decimal(1)}) == 3
    assert rules.points({"kind": "given"}, 8, given=9) == 8 and rules.points({"kind": "given"}, 8) is None


@pytest.mark.parametrize("bad", [{}, {"kind": "magic"}, {"kind": "threshold", "full_at": 0},
                                 {"kind": "bands", "bands": [[1, 2]]}, {"kind": "linear", "when_empty": -1}])
def test_malformed_rules_are_refused(bad):
    with pytest.raises(rules.RuleError):
        rules.check_rule(bad)


HOA_BINH_2023 = [  # Sở, TLKC, XHH-CCHC, XHH-MĐHL, Chỉ số CCHC %, Chỉ số MĐHL % (QĐ 3016/QĐ-UBND)
    ("Sở Nội vụ", "58.50", "30.41", "7.98", "96.89", "99.75"),
    ("Ban quản lý các khu công nghiệp", "56.36", "30.23", "5.96", "92.55", "74.50"),
    ("Văn phòng UBND tỉnh", "58.60", "27.53", "6.28", "92.41", "78.50"),
    ("Sở Tài chính", "55.26", "29.06", "6.97", "91.29", "87.13"),
    ("Sở Xây dựng", "56.09", "27.93", "7.12", "91.14", "89.00"),
    ("Sở Tư pháp", "53.86", "29.91", "6.81", "90.59", "85.13"),
    ("Ban Dân tộc", "55.70", "28.04", "6.85", "90.59", "85.67"),
    ("Sở NN&PTNT", "54.46", "28.96", "6.79", "90.21", "84.88"),
    ("Thanh tra tỉnh", "56.10", "27.12", "6.84", "90.06", "85.50"),
    ("Sở TT&TT", "56.08", "27.89", "5.98", "89.95", "74.75"),
    ("Sở KH&ĐT", "52.74", "28.96", "7.98", "89.68", "99.75"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "evidence", "survey_par", "survey_sat", "index", "satisfaction"), HOA_BINH_2023)
def test_the_hoa_binh_2023_department_table(name, evidence, survey_par, survey_sat, index, satisfaction):
    config = IndexConfig.objects.get(code="cchc-so-xa", version="hoabinh-2023")
    scored = evaluate(config, given={"TLKC": Decimal(evidence), "XHH_CCHC": Decimal(survey_par),
                                     "XHH_MDHL": Decimal(survey_sat)})
    assert abs(scored["__total__"] - Decimal(index)) <= Decimal("0.01"), name
    sat_max = config.criteria.get(code="XHH_MDHL").max_points
    # The published % comes from the unrounded survey points: the 2-decimal points shown are ±0.005,
    # i.e. ±0.0625 % (Ban Dân tộc: 6.85 shown, 85.67 % published = 6.8536 points).
    assert abs(scored["XHH_MDHL"] / sat_max * 100 - Decimal(satisfaction)) <= Decimal("0.0625"), name


@pytest.mark.django_db
def test_the_shipped_configurations():
    qd766 = IndexConfig.objects.get(code="qd766")
    assert qd766.max_points == 100 and qd766.criteria.filter(parent=None).count() == 6
    par = IndexConfig.objects.get(code="par-tinh")
    assert par.max_points == 100 and par.criteria.filter(parent=None).count() == 8
    area3 = par.criteria.get(code="LV3")
    assert sum(c.max_points for c in area3.children.all()) == area3.max_points == Decimal("14.5")
    # the stored 766 configuration scores exactly like the built-in one
    stored = config_766(qd766)
    assert [i.code for i in stored.indicators] == [i.code for i in QD766_2026.indicators]
    for changes in ({}, {"petitions_total": 0}, {"dossiers_to_sync": 0}, {"tthc_with_fee": 0}):
        assert score(counts(**changes), stored) == score(counts(**changes), QD766_2026)


@pytest.mark.django_db
def test_an_administrator_copies_a_version_and_edits_it(client, django_user_model):
    qd766 = IndexConfig.objects.get(code="qd766")
    copy = config_copy(config=qd766)
    assert (copy.status, copy.version) == ("draft", "766-2026-ban-sao") and copy.criteria.count() == 27
    leaf = copy.criteria.get(code="PROGRESS_ON_TIME")
    assert leaf.parent.code == "progress" and leaf.parent.config == copy
    Criterion.objects.filter(pk=leaf.pk).update(rule={"kind": "threshold", "full_at": 0.95, "when_empty": 0})
    edited = score(counts(), config_766(copy))
    assert edited["indicators"]["PROGRESS_ON_TIME"] == 20.0  # 97.5% ≥ 95%: full points under the edited rule
    assert score(counts(), config_766(qd766))["indicators"]["PROGRESS_ON_TIME"] == 19.5  # the original unchanged
    assert config_copy(config=qd766).version == "766-2026-ban-sao-2"
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="x", full_name="Root")
    client.force_login(admin)
    reply = client.post("/admin/parindex/indexconfig/", {"action": "copy_version", "_selected_action": [qd766.pk]})
    assert reply.status_code == 302 and IndexConfig.objects.filter(code="qd766").count() == 4


@pytest.mark.django_db
def test_the_dashboards_use_the_published_version_in_force():
    import datetime as dt

    from parindex.portal766 import config_for, portal_score

    original = IndexConfig.objects.get(code="qd766")
    assert config_for(dt.date(2026, 3, 1)).indicators == config_766(original).indicators
    edited = config_copy(config=original)
    Criterion.objects.filter(config=edited, code="PROGRESS_ON_TIME").update(
        rule={"kind": "threshold", "full_at": 0.5, "when_empty": 0})
    values = {"progress_766": (3, 5)}  # 60% on time
    assert portal_score(values, config_for(dt.date(2026, 9, 1)))["indicators"][4]["points"] == 12.0  # draft: no
    IndexConfig.objects.filter(pk=original.pk).update(effective_to=dt.date(2026, 6, 30))
    IndexConfig.objects.filter(pk=edited.pk).update(status="published", effective_from=dt.date(2026, 7, 1))
    assert portal_score(values, config_for(dt.date(2026, 9, 1)))["indicators"][4]["points"] == 20.0  # in force
    assert portal_score(values, config_for(dt.date(2026, 3, 1)))["indicators"][4]["points"] == 12.0  # before


_METRIC_VALUES = st.dictionaries(
    st.sampled_from(sorted(METRICS)),
    st.tuples(st.integers(0, 10**7), st.one_of(st.none(), st.integers(0, 10**7))), max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=_METRIC_VALUES)
def test_the_ranking_total_is_the_full_scores_total(values):
    """`portal_total`, what the ranking computes for every agency, gives the numbers of `portal_score` to the last
    digit: the built-in configuration, with its threshold and linear rules and empty denominators."""
    scored = portal_score(values, QD766_2026)
    assert portal_total(values, QD766_2026) == (scored["total"], scored["max"])


@pytest.mark.django_db
def test_the_ranking_total_follows_an_edited_configuration():
    """An administrator's edited copy (another rule, another maximum, rounding per indicator or per group): the
    total-only scorer follows it as the full one does, and a new configuration object is not mistaken for an
    earlier one."""
    original = IndexConfig.objects.get(code="qd766")
    edited = config_copy(config=original)
    Criterion.objects.filter(config=edited, code="PROGRESS_ON_TIME").update(
        rule={"kind": "threshold", "full_at": 0.5, "when_empty": 0}, max_points=Decimal("25"))
    values = {"progress_766": (3, 5), "received": (7, None), "e_result": (1, 3), "paid_online": (2, 9)}
    before = config_766(original)
    after = config_766(IndexConfig.objects.get(pk=edited.pk))
    for config in (before, after, config_766(original)):
        scored = portal_score(values, config)
        assert portal_total(values, config) == (scored["total"], scored["max"])
    assert portal_total(values, after) != portal_total(values, before)
