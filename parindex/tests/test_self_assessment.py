"""PAR INDEX self-assessment → appraisal → lock, the survey CSV import, results with ties and last year."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from dossiers.tests.conftest import PDF, at
from parindex import assessment
from parindex.models import AssessmentRound, Evidence, IndexConfig, SelfScore, SurveyScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def par_round(world):
    config = IndexConfig.objects.get(code="cchc-so-xa")

    def make(year=2026):
        r = AssessmentRound.objects.create(config=config, year=year, deadline=at(year, 12, 15, 17),
                                           appraisal_deadline=at(year, 12, 31, 17))
        r.agencies.set([world.pleiku, world.quynhon])
        return r

    return make


def _pdf(name="bien-ban.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_self_assessment_appraisal_and_lock(world, par_round, demo):
    r = par_round()
    tlkc = r.config.criteria.get(code="TLKC")
    home_affairs = demo.user("noivu@demo.gov.vn")
    # the agency head scores with evidence before the deadline
    score = assessment.self_score_submit(round_=r, agency=world.pleiku, criterion=tlkc, actor=world.approver,
                                         points="55,5", explanation="Đủ báo cáo, kế hoạch", evidence=[_pdf()],
                                         at=at(2026, 12, 1))
    assert score.points == Decimal("55.50") and Evidence.objects.filter(score=score).count() == 1
    # refused: no evidence for points, out of range, an appraiser's own entry, another agency's head
    with pytest.raises(DomainError) as err:
        assessment.self_score_submit(round_=r, agency=world.quynhon, criterion=tlkc,
                                     actor=demo.user("lanhdao.quynhon@demo.gov.vn"),
                                     points=40, at=at(2026, 12, 1))
    assert err.value.code == "evidence_required" and not SelfScore.objects.filter(agency=world.quynhon).exists()
    for bad in ("61", "-1", "abc", "10.555"):
        with pytest.raises(DomainError):
            assessment.self_score_submit(round_=r, agency=world.pleiku, criterion=tlkc, actor=world.approver,
                                         points=bad, evidence=[_pdf()], at=at(2026, 12, 1))
    with pytest.raises(DomainError) as err:
        assessment.self_score_submit(round_=r, agency=world.pleiku, criterion=tlkc, actor=world.approver,
                                     points=50, evidence=[SimpleUploadedFile(
                                         "x.pdf", b"MZ\x90 exe")], at=at(2026, 12, 1))
    assert err.value.code == "evidence_type"
    with pytest.raises(PermissionDenied):
        assessment.self_score_submit(round_=r, agency=world.pleiku, criterion=tlkc, actor=world.appraiser,
                                     points=50, evidence=[_pdf()], at=at(2026, 12, 1))
    survey = r.config.criteria.get(code="XHH_CCHC")
    with pytest.raises(DomainError) as err:  # a survey criterion is not self-assessed
        assessment.self_score_submit(round_=r, agency=world.pleiku, criterion=survey, actor=world.approver,
                                     points=20, evidence=[_pdf()], at=at(2026, 12, 1))
    assert err.value.code == "wrong_criterion"
    score.refresh_from_db()
    assert score.points == Decimal("55.50")  # nothing changed by the refusals
    # after the deadline the self-score is locked
    with pytest.raises(DomainError) as err:
        assessment.self_score_submit(round_=r, agency=world.pleiku, criterion=tlkc, actor=world.approver,
                                     points=60, evidence=[_pdf()], at=at(2026, 12, 16))
    assert err.value.code == "self_assessment_closed"
    # Home Affairs appraises: an adjustment needs a reason; the agency sees it
    with pytest.raises(DomainError) as err:
        assessment.self_score_appraise(score=score, actor=home_affairs, points="50", at=at(2026, 12, 20))
    assert err.value.code == "reason_required"
    with pytest.raises(PermissionDenied):  # the agency cannot appraise itself
        assessment.self_score_appraise(score=score, actor=world.approver, at=at(2026, 12, 20))
    with pytest.raises(PermissionDenied):  # a ward's Home Affairs officer covers that ward only
        assessment.self_score_appraise(score=score, actor=demo.user("noivu.quynhon@demo.gov.vn"),
                                       at=at(2026, 12, 20))
    score = assessment.self_score_appraise(score=score, actor=home_affairs, points="50",
                                           reason="Thiếu báo cáo quý IV", at=at(2026, 12, 20))
    assert (score.appraised_points, score.appraisal_reason, score.appraised_by) == (
        Decimal("50.00"), "Thiếu báo cáo quý IV", home_affairs)
    # after the appraisal deadline everything is locked
    with pytest.raises(DomainError) as err:
        assessment.self_score_appraise(score=score, actor=home_affairs, at=at(2027, 1, 2))
    assert err.value.code == "appraisal_closed"


def test_survey_import_and_results_with_ties_and_last_year(world, par_round, demo):
    home_affairs = demo.user("noivu@demo.gov.vn")
    quynhon_head = demo.user("lanhdao.quynhon@demo.gov.vn")
    last_year, r = par_round(2025), par_round(2026)
    tlkc = r.config.criteria.get(code="TLKC")
    for rnd, pleiku_points, quynhon_points in ((last_year, "50", "52"), (r, "55", "54")):
        year = rnd.year
        for agency, head, points in ((world.pleiku, world.approver, pleiku_points),
                                     (world.quynhon, quynhon_head, quynhon_points)):
            s = assessment.self_score_submit(round_=rnd, agency=agency, criterion=tlkc, actor=head, points=points,
                                             evidence=[_pdf()], at=at(year, 12, 1))
            assessment.self_score_appraise(score=s, actor=home_affairs, at=at(year, 12, 20))
    bad = "agency_code,criterion_code,points\nH21.65,XHH_CCHC,40\nH99.99,XHH_CCHC,1\nH21.66,TLKC,3\nH21.66,XHH_MDHL,9\n"
    with pytest.raises(DomainError) as err:
        assessment.survey_import(round_=r, text=bad, actor=home_affairs, at=at(2026, 12, 21))
    for part in ("dòng 3", "dòng 4", "dòng 5"):
        assert part in err.value.message
    assert not SurveyScore.objects.exists()  # rejected whole
    with pytest.raises(PermissionDenied):
        assessment.survey_import(round_=r, text=bad, actor=world.approver)
    good = ("\ufeffagency_code,criterion_code,points\nH21.65,XHH_CCHC,30.41\nH21.65,XHH_MDHL,7.98\n"
            "H21.66,XHH_CCHC,31.41\nH21.66,XHH_MDHL,7.98\n")
    assert assessment.survey_import(round_=r, text=good, actor=home_affairs, at=at(2026, 12, 21)) == 4
    rows = assessment.results(r, at=at(2027, 1, 5))
    assert [(x["name"], x["index"], x["rank"]) for x in rows] == [
        (world.pleiku.name, Decimal("93.39"), 1), (world.quynhon.name, Decimal("93.39"), 1)]  # a tie shares rank 1
    pleiku = next(x for x in rows if x["agency_id"] == world.pleiku.pk)
    assert (pleiku["appraised"], pleiku["survey"], pleiku["previous"], pleiku["change"]) == (
        Decimal("55.00"), Decimal("38.39"), Decimal("50.00"), Decimal("43.39"))
    assert pleiku["locked"] and pleiku["pending"] == 0


def test_the_pages(world, par_round, demo, client):
    import time_machine

    r = par_round()
    tlkc = r.config.criteria.get(code="TLKC")
    home_affairs = demo.user("noivu@demo.gov.vn")
    url = f"/chi-so/danh-gia/{r.pk}/co-quan/{world.pleiku.pk}/"
    with time_machine.travel(at(2026, 12, 1)):
        client.force_login(world.approver)
        assert client.get("/chi-so/danh-gia/").status_code == 200
        page = client.get(url).content.decode()
        assert 'name="evidence"' in page and 'name="action" value="appraise"' not in page
        reply = client.post(url, {"criterion": tlkc.pk, "points": "58,5"}, follow=True)
        assert "cần tài liệu kiểm chứng" in reply.content.decode() and not SelfScore.objects.exists()
        client.post(url, {"criterion": tlkc.pk, "points": "58,5", "explanation": "Đủ",
                          "evidence": _pdf("ke-hoach.pdf")})
        score = SelfScore.objects.get()
        assert score.points == Decimal("58.50")
        evidence = score.evidence.get()
        assert client.get(f"/chi-so/tai-lieu/{evidence.pk}/").status_code == 200
        client.force_login(world.citizen)
        assert client.get(url).status_code == 403 and client.get(f"/chi-so/tai-lieu/{evidence.pk}/").status_code == 404
    with time_machine.travel(at(2026, 12, 20)):
        client.force_login(home_affairs)
        page = client.get(url).content.decode()
        assert 'name="action" value="appraise"' in page
        client.post(url, {"criterion": tlkc.pk, "action": "appraise", "points": "", "reason": ""})
        assert SelfScore.objects.get().appraised_points == Decimal("58.50")
        latin1 = SimpleUploadedFile("x.csv", "agency_code,criterion_code,points\nH21.65,XHH_CCHC,30\n# Điểm\n"
                                    .encode("utf-16"))
        reply = client.post(f"/chi-so/danh-gia/{r.pk}/dieu-tra/", {"file": latin1}, follow=True)
        assert "UTF-8" in reply.content.decode() and not SurveyScore.objects.exists()
        upload = SimpleUploadedFile("dieu-tra.csv", b"agency_code,criterion_code,points\nH21.65,XHH_CCHC,30.41\n")
        client.post(f"/chi-so/danh-gia/{r.pk}/dieu-tra/", {"file": upload})
        results = client.get(f"/chi-so/danh-gia/{r.pk}/").content.decode()
        exported = client.get(f"/chi-so/danh-gia/{r.pk}/", {"xuat": "csv"}).content.decode("utf-8-sig")
        assert "88.91" in exported and world.pleiku.name in exported
        assert "88,91" in results or "88.91" in results  # 58.50 + 30.41 (Vietnamese decimal comma)
        client.force_login(world.approver)  # the agency sees its appraisal, read-only after the deadline
        page = client.get(url).content.decode()
        assert 'data-testid="appraisal"' in page and 'name="points"' not in page


def test_external_indices_are_imported_and_compared(client, demo, world):
    from parindex.models import ExternalResult

    home_affairs = demo.user("noivu@demo.gov.vn")
    bad = "index,year,score,rank,out_of\npapi,2023,42.5,12,63\nabc,2023,1,,\npci,1990,60,,\npar,2023,x,70,63\n"
    with pytest.raises(DomainError) as err:
        from parindex.assessment import external_import

        external_import(text=bad, actor=home_affairs)
    for part in ("dòng 3", "dòng 4", "dòng 5"):
        assert part in err.value.message
    assert not ExternalResult.objects.exists()
    with pytest.raises(PermissionDenied):
        external_import(text=bad, actor=world.approver)
    client.force_login(home_affairs)
    good = "index,year,score,rank,out_of\npar,2022,84.79,40,63\npar,2023,86.98,35,63\npapi,2023,42.5,12,63\n"
    client.post("/chi-so/chi-so-khac/", {"file": SimpleUploadedFile("ket-qua.csv", good.encode())})
    assert ExternalResult.objects.count() == 3
    page = client.get("/chi-so/chi-so-khac/")
    rows = {r["code"]: r for r in page.context["table"]}
    assert [c["change"] for c in rows["par"]["cells"]] == [None, Decimal("2.19")]  # 86.98 − 84.79
    assert "hạng 35/63" in page.content.decode()
    csv = client.get("/chi-so/chi-so-khac/", {"xuat": "csv"}).content.decode("utf-8-sig")
    assert "86.98" in csv and "2023" in csv


def test_a_par_round_scores_its_computed_criteria_from_the_snapshots(world, demo, client):
    """Agency → area → criterion → the metric → the dossiers: area 3 of the PAR configuration has two
    criteria computed from the portal's data."""
    import time_machine

    from parindex.metrics import snapshots_refresh

    from .test_metrics_and_dashboard import MARCH, _month

    _month(world)
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    config = IndexConfig.objects.get(code="par-tinh")
    r = AssessmentRound.objects.create(config=config, year=2026, deadline=at(2026, 12, 15, 17),
                                       appraisal_deadline=at(2026, 12, 31, 17))
    r.agencies.set([world.pleiku])
    with time_machine.travel(at(2026, 4, 2)):
        row = assessment.results(r)[0]
        # on-time rate 2/4 = 50% < 90%: 0 of 1 point (bands); no online dossier: 0 of 1 (threshold 50%)
        assert (row["criteria"]["LV3.DH"], row["criteria"]["LV3.TT"]) == (Decimal("0.00"), Decimal("0.00"))
        client.force_login(demo.user("noivu@demo.gov.vn"))
        page = client.get(f"/chi-so/danh-gia/{r.pk}/co-quan/{world.pleiku.pk}/").content.decode()
    assert 'data-testid="computed"' in page and "2 / 4" in page and "from=2026-01&to=2026-04" in page
