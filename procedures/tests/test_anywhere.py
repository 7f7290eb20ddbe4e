"""The province's list of procedures received regardless of administrative boundaries (Decree 118/2025/NĐ-CP,
issue #17): the version flag, the province's overrides in force by date, the reads, the catalogue pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Agency, AgencyLevel
from core.errors import DomainError
from procedures import anywhere, services
from procedures.anywhere import anywhere_version_ids, receivable_anywhere, receivable_versions
from procedures.models import AnywhereOverride, Field, Level, Procedure, ProcedureVersion, VersionStatus

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def tree(db):
    """Two provinces (two roots of level "province"), a department and a ward of the first, and a ministry."""
    province = Agency.objects.create(code="H21", name="UBND tỉnh Gia Lai", level=AgencyLevel.PROVINCE)
    other = Agency.objects.create(code="H38", name="UBND tỉnh Hà Tĩnh", level=AgencyLevel.PROVINCE)
    department = Agency.objects.create(code="H21.11", name="Sở Tư pháp", level=AgencyLevel.DEPARTMENT,
                                       parent=province)
    ward = Agency.objects.create(code="H21.65", name="UBND phường Pleiku", level=AgencyLevel.COMMUNE,
                                 parent=province)
    ministry = Agency.objects.create(code="G12", name="Bộ Tư pháp", level=AgencyLevel.MINISTRY)
    return type("Tree", (), {"province": province, "other": other, "department": department, "ward": ward,
                             "ministry": ministry})


def _version(code: str, *, anywhere_flag: bool, level: str = Level.COMMUNE) -> ProcedureVersion:
    field, _ = Field.objects.get_or_create(code="HT", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(code=code, name=f"Thủ tục {code}", field=field, level=level)
    return ProcedureVersion.objects.create(procedure=procedure, number=1, status=VersionStatus.PUBLISHED,
                                           decision_number=f"QĐ-{code}", effective_from=D(2020, 1, 1),
                                           anywhere=anywhere_flag)


def _override(province, version, receivable, day, decision="95/QĐ-UBND"):
    return AnywhereOverride.objects.create(province=province, procedure=version.procedure, receivable=receivable,
                                           decision_number=decision, effective_from=day)


# -- the rule in force -------------------------------------------------------------------------------------

def test_the_override_in_force_is_the_latest_on_or_before_the_day(tree, django_assert_num_queries):
    version = _version("1.000001", anywhere_flag=False)
    _override(tree.province, version, True, D(2025, 1, 1), "10/QĐ-UBND")
    _override(tree.province, version, False, D(2025, 6, 1), "20/QĐ-UBND")
    _override(tree.province, version, True, D(2025, 9, 1), "30/QĐ-UBND")
    expected = {
        D(2024, 12, 31): False,  # before any decision: the version's flag
        D(2025, 1, 1): True, D(2025, 5, 31): True,
        D(2025, 6, 1): False, D(2025, 8, 31): False,
        D(2025, 9, 1): True, D(2030, 1, 1): True,
    }
    for day, answer in expected.items():
        with django_assert_num_queries(1):
            assert receivable_anywhere(version, tree.province, day) is answer, day
    # Another province's decisions are not this one's; no province known: the flag alone (no query).
    assert receivable_anywhere(version, tree.other, D(2025, 3, 1)) is False
    with django_assert_num_queries(0):
        assert receivable_anywhere(version, None, D(2025, 3, 1)) is False


def test_a_province_takes_a_flagged_procedure_off_its_list(tree):
    version = _version("1.000002", anywhere_flag=True)
    assert receivable_anywhere(version, tree.province, D(2025, 1, 1)) is True
    _override(tree.province, version, False, D(2025, 7, 1))
    assert receivable_anywhere(version, tree.province, D(2025, 6, 30)) is True
    assert receivable_anywhere(version, tree.province, D(2025, 7, 1)) is False
    assert receivable_anywhere(version, tree.other, D(2025, 7, 1)) is True
    assert receivable_anywhere(version, None, D(2025, 7, 1)) is True


def test_today_is_the_default_day(tree):
    version = _version("1.000003", anywhere_flag=False)
    _override(tree.province, version, True, D(2025, 1, 1))
    _override(tree.province, version, False, dt.date.today() + dt.timedelta(days=30))
    assert receivable_anywhere(version, tree.province) is True


def test_province_of_a_desk(tree, django_assert_max_num_queries):
    assert anywhere.province_of(tree.ward) == tree.province
    assert anywhere.province_of(tree.province) == tree.province
    assert anywhere.province_of(tree.ministry) is None  # a ministry's tree has no province list
    assert anywhere.province_of(None) is None
    # Two province roots: the portal does not know its province (the catalogue states the flag only).
    assert anywhere.portal_province() is None
    tree.other.delete()
    with django_assert_max_num_queries(1):
        assert anywhere.portal_province() == tree.province


# -- the bulk read ----------------------------------------------------------------------------------------

def _many(tree, n=60):
    """n versions: flags alternate; some procedures have overrides putting them on or off, some in the future,
    some of another province only."""
    versions = [_version(f"2.{100000 + i:06d}", anywhere_flag=i % 2 == 0) for i in range(n)]
    for i, v in enumerate(versions):
        if i % 5 == 0:
            _override(tree.province, v, i % 2 == 1, D(2025, 7, 1))           # flips the flag
        if i % 7 == 0:
            _override(tree.province, v, True, D(2025, 1, 1), "1/QĐ-UBND")    # older: superseded where both
        if i % 11 == 0:
            _override(tree.province, v, i % 2 == 1, D(2099, 1, 1), "99/QĐ-UBND")  # not yet in force
        if i % 3 == 0:
            _override(tree.other, v, i % 2 == 1, D(2025, 1, 1), "3/QĐ-UBND")  # another province
    return versions


def test_the_bulk_read_agrees_with_the_single_read_in_one_query(tree, django_assert_num_queries):
    versions = _many(tree)
    day = D(2026, 1, 1)
    expected = {v.pk for v in versions if receivable_anywhere(v, tree.province, day)}
    assert 0 < len(expected) < len(versions)
    qs = ProcedureVersion.objects.filter(procedure__code__startswith="2.1")
    with django_assert_num_queries(1):
        assert anywhere_version_ids(tree.province, qs, day) == expected
    with django_assert_num_queries(1):
        assert anywhere_version_ids(tree.province, [v.pk for v in versions], day) == expected
    with django_assert_num_queries(1):
        assert anywhere_version_ids(tree.province, versions, day) == expected
    with django_assert_num_queries(0):
        assert anywhere_version_ids(tree.province, [], day) == set()
    # Before any decision took effect: the flags alone; no province: the flags alone.
    flagged = {v.pk for v in versions if v.anywhere}
    assert anywhere_version_ids(tree.province, qs, D(2024, 1, 1)) == flagged
    assert anywhere_version_ids(None, qs, day) == flagged
    other = {v.pk for v in versions if receivable_anywhere(v, tree.other, day)}
    assert anywhere_version_ids(tree.other, qs, day) == other != expected


def test_receivable_versions_adds_a_condition_to_the_callers_query(tree, django_assert_num_queries):
    versions = _many(tree, 20)
    day = D(2026, 1, 1)
    with django_assert_num_queries(0):
        narrowed = receivable_versions(ProcedureVersion.objects.select_related("procedure"), tree.province, day)
    with django_assert_num_queries(1):
        rows = list(narrowed)
    assert {v.pk for v in rows} == {v.pk for v in versions if receivable_anywhere(v, tree.province, day)}
    assert rows[0].procedure.code  # the caller's select_related is kept


# -- validation -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["department", "ward", "ministry"])
def test_only_a_province_root_publishes_the_list(tree, which):
    version = _version("1.000004", anywhere_flag=False)
    override = AnywhereOverride(province=getattr(tree, which), procedure=version.procedure, receivable=True,
                                decision_number="95/QĐ-UBND", effective_from=D(2025, 7, 1))
    with pytest.raises(ValidationError) as err:
        override.full_clean()
    assert "không phải UBND tỉnh" in str(err.value.message_dict["province"])
    with pytest.raises(DomainError, match="không phải UBND tỉnh"):
        services.anywhere_override_create(actor=None, province=getattr(tree, which), procedure=version.procedure,
                                          receivable=True, decision_number="95/QĐ-UBND",
                                          effective_from=D(2025, 7, 1))
    assert not AnywhereOverride.objects.exists()


def test_one_decision_per_province_procedure_and_day(tree):
    version = _version("1.000005", anywhere_flag=False)
    services.anywhere_override_create(actor=None, province=tree.province, procedure=version.procedure,
                                      receivable=True, decision_number=" 95/QĐ-UBND ", effective_from=D(2025, 7, 1))
    with pytest.raises(DomainError, match="cùng ngày hiệu lực"):
        services.anywhere_override_create(actor=None, province=tree.province, procedure=version.procedure,
                                          receivable=False, decision_number="96/QĐ-UBND",
                                          effective_from=D(2025, 7, 1))
    assert AnywhereOverride.objects.get().decision_number == "95/QĐ-UBND"


def test_the_flag_of_a_published_version_never_changes(tree):
    version = _version("1.000006", anywhere_flag=False)
    with pytest.raises(DomainError) as err:
        services.version_update_draft(actor=None, version=version, anywhere=True)
    assert err.value.code == "version_immutable"
    version.refresh_from_db()
    assert version.anywhere is False
    flagged = _version("1.000007", anywhere_flag=True)
    draft = services.version_new_draft_from(actor=None, version=flagged, decision_number="NEW-1")
    assert draft.anywhere is True  # the new draft starts from the published content
    services.version_update_draft(actor=None, version=draft, anywhere=False)
    draft.refresh_from_db()
    assert draft.anywhere is False


# -- the catalogue pages ----------------------------------------------------------------------------------

def _catalogue_version(code: str) -> ProcedureVersion:
    return ProcedureVersion.objects.get(procedure__code=code, status=VersionStatus.PUBLISHED)


def test_the_detail_page_states_the_provinces_list(client, catalogue, tree):
    tree.other.delete()  # one province root: the portal's province
    birth = _catalogue_version("1.001193")
    ProcedureVersion.objects.filter(pk=birth.pk).update(anywhere=True)
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert 'data-testid="anywhere"' in page and "bất kỳ Bộ phận Một cửa nào trong tỉnh" in page
    assert 'data-testid="anywhere-fact">Có<' in page
    _override(tree.province, birth, False, D(2025, 7, 1))
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert 'data-testid="anywhere"' not in page and 'data-testid="anywhere-fact">Không<' in page
    # A procedure the version does not flag, put on the list by the province.
    page = client.get("/thu-tuc/2.000505/").content.decode()
    assert 'data-testid="anywhere"' not in page
    _override(tree.province, _catalogue_version("2.000505"), True, D(2025, 7, 1))
    assert 'data-testid="anywhere"' in client.get("/thu-tuc/2.000505/").content.decode()


def test_with_several_province_roots_the_page_states_the_flag(client, catalogue, tree):
    birth = _catalogue_version("1.001193")
    ProcedureVersion.objects.filter(pk=birth.pk).update(anywhere=True)
    _override(tree.province, birth, False, D(2025, 7, 1))  # one province's word is not the portal's
    assert 'data-testid="anywhere"' in client.get("/thu-tuc/1.001193/").content.decode()


def test_the_search_filter(client, catalogue, tree):
    tree.other.delete()
    ProcedureVersion.objects.filter(procedure__code__in=["1.001193", "1.009994"]).update(anywhere=True)
    _override(tree.province, _catalogue_version("1.009994"), False, D(2025, 7, 1))
    _override(tree.province, _catalogue_version("2.000505"), True, D(2025, 7, 1))
    page = client.get("/thu-tuc/", {"anywhere": "1"}).content.decode()
    assert "Tìm thấy 2 thủ tục" in page
    assert "/thu-tuc/1.001193/" in page and "/thu-tuc/2.000505/" in page and "/thu-tuc/1.009994/" not in page
    assert "Nộp tại bất kỳ Bộ phận Một cửa nào trong tỉnh" in page
    assert "Tìm thấy 4 thủ tục" in client.get("/thu-tuc/").content.decode()
    # Combined with the text search and the level filter.
    page = client.get("/thu-tuc/", {"anywhere": "1", "q": "khai sinh", "level": "commune"}).content.decode()
    assert "Tìm thấy 1 thủ tục" in page and "/thu-tuc/1.001193/" in page
    # A retired version's flag does not count: only the versions in force.
    household = ProcedureVersion.objects.get(procedure__code="2.000575", status=VersionStatus.RETIRED)
    ProcedureVersion.objects.filter(pk=household.pk).update(anywhere=True)
    assert "/thu-tuc/2.000575/" not in client.get("/thu-tuc/", {"anywhere": "1"}).content.decode()


# -- admin ------------------------------------------------------------------------------------------------

def test_the_admin_lists_searches_and_adds_overrides(admin_client, tree):
    version = _version("1.000008", anywhere_flag=True)
    past = _override(tree.province, version, False, D(2025, 7, 1))
    page = admin_client.get("/admin/procedures/anywhereoverride/", {"q": "1.000008"}).content.decode()
    assert "1.000008" in page and "95/QĐ-UBND" in page
    assert admin_client.get("/admin/procedures/anywhereoverride/", {"q": "9.999999"}).content.decode().count(
        "95/QĐ-UBND") == 0
    form = {"procedure": version.procedure.pk, "receivable": "on", "decision_number": "120/QĐ-UBND",
            "effective_from": "01/01/2099", "note": ""}
    refused = admin_client.post("/admin/procedures/anywhereoverride/add/", {**form, "province": tree.department.pk})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["province"]
    done = admin_client.post("/admin/procedures/anywhereoverride/add/", {**form, "province": tree.province.pk})
    assert done.status_code == 302
    future = AnywhereOverride.objects.get(decision_number="120/QĐ-UBND")
    # A decision already in force is history: read-only; one not yet in force may still be corrected.
    assert admin_client.get(f"/admin/procedures/anywhereoverride/{past.pk}/delete/").status_code == 403
    assert 'name="decision_number"' not in admin_client.get(
        f"/admin/procedures/anywhereoverride/{past.pk}/change/").content.decode()
    assert 'name="decision_number"' in admin_client.get(
        f"/admin/procedures/anywhereoverride/{future.pk}/change/").content.decode()


def test_the_version_admin_shows_the_flag(admin_client, tree):
    version = _version("1.000009", anywhere_flag=True)
    page = admin_client.get(f"/admin/procedures/procedureversion/{version.pk}/change/").content.decode()
    assert "tiếp nhận không phụ thuộc địa giới hành chính" in page.lower()
    assert 'name="anywhere"' not in page  # published: read-only, like every field of it
    assert admin_client.get("/admin/procedures/procedureversion/", {"anywhere__exact": "1"}).status_code == 200


def test_a_desk_is_not_a_province(tree):
    version = _version("1.000010", anywhere_flag=True)
    for desk in (tree.ward, tree.department, tree.ministry):
        with pytest.raises(ValueError, match="province_of"):
            receivable_anywhere(version, desk)
        with pytest.raises(ValueError, match="province_of"):
            anywhere_version_ids(desk, [version.pk])
    assert receivable_anywhere(version, anywhere.province_of(tree.ward)) is True
