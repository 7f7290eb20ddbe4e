"""The document store as a pre-fill source of declarations ("store:<title>.<attribute>"): the newest matching
document of the person's own store, accent-insensitive, exact title first then a whole-word prefix; never another
person's document, never for the desk's stand-in for an applicant."""

import datetime as dt
import hashlib
import itertools

import pytest
import time_machine
from django.utils import timezone

from docstore.models import Source, StoredDocument
from docstore.prefill import store_value
from dossiers.declarations import _Applicant
from dossiers.tests.test_declarations import NOW, draft, form, url  # noqa: F401 - the form fixture
from dossiers.tests.transitions_helper import desk_submitted
from eforms import prefill

from ..tests.conftest import world  # noqa: F401 - the shared dossier fixtures

_numbers = itertools.count()


def stored(owner, title, agency="Bệnh viện Đa khoa tỉnh Gia Lai", *, issued_on=None, valid_until=None, **extra):
    digest = hashlib.sha256(f"{owner.pk}-{next(_numbers)}".encode()).hexdigest()
    return StoredDocument.objects.create(owner=owner, title=title, source=Source.COMPONENT, issuing_agency=agency,
                                         issued_on=issued_on, valid_until=valid_until, original_name=f"{title}.pdf",
                                         size=10, sha256=digest, content_type="application/pdf", **extra)


def test_the_store_registers_itself_as_a_source():
    assert prefill.SOURCES["store"] is store_value


@pytest.mark.django_db
def test_the_newest_matching_document_answers_accent_insensitively(demo):
    an = demo.user("an.nguyen@example.com")
    old = stored(an, "Giấy chứng sinh", "Trạm y tế phường Pleiku", issued_on=dt.date(2026, 1, 2))
    old.created_at = timezone.now() - dt.timedelta(days=30)
    old.save()
    stored(an, "Giấy chứng sinh", issued_on=dt.date(2026, 5, 20), valid_until=dt.date(2027, 5, 20))
    assert store_value(an, "Giấy chứng sinh.issuing_agency") == "Bệnh viện Đa khoa tỉnh Gia Lai"
    assert store_value(an, "giay chung sinh.issuing_agency") == "Bệnh viện Đa khoa tỉnh Gia Lai"
    assert store_value(an, "GIẤY CHỨNG SINH.title") == "Giấy chứng sinh"
    assert store_value(an, "Giấy chứng sinh.issued_on") == "2026-05-20"      # dates as ISO, for the date input
    assert store_value(an, "Giấy chứng sinh.valid_until") == "2027-05-20"
    assert store_value(an, "Giấy chứng sinh.owner") is None                   # only the four attributes
    assert store_value(an, "Giấy chứng sinh") is None and store_value(an, "") is None
    assert store_value(an, "Giấy chứng nhận kết hôn.issuing_agency") is None  # none held


@pytest.mark.django_db
def test_an_exact_title_wins_then_a_whole_word_prefix(demo):
    an = demo.user("an.nguyen@example.com")
    stored(an, "Giấy khai sinh (bản sao trích lục)", "UBND phường Pleiku")
    assert store_value(an, "Giấy khai sinh.issuing_agency") == "UBND phường Pleiku"  # a prefix, word boundary
    assert store_value(an, "Giấy khai.issuing_agency") == "UBND phường Pleiku"
    assert store_value(an, "Giấy khai si.issuing_agency") is None                    # not inside a word
    exact = stored(an, "Giay khai sinh", "UBND phường Quy Nhơn")
    exact.created_at = timezone.now() - dt.timedelta(days=400)  # older, but its title is the one asked for
    exact.save()
    assert store_value(an, "Giấy khai sinh.issuing_agency") == "UBND phường Quy Nhơn"


@pytest.mark.django_db
def test_never_a_deleted_document_nor_another_persons_nor_for_a_stand_in(demo):
    an, binh = demo.user("an.nguyen@example.com"), demo.user("binh.tran@example.com")
    stored(binh, "Giấy chứng sinh", "Bệnh viện của người khác")
    assert store_value(an, "Giấy chứng sinh.issuing_agency") is None
    gone = stored(an, "Giấy chứng sinh", "Đã xóa", deleted_at=timezone.now())
    assert gone.deleted_at and store_value(an, "Giấy chứng sinh.issuing_agency") is None
    mine = stored(an, "Giấy chứng sinh")
    assert store_value(an, "Giấy chứng sinh.issuing_agency") == mine.issuing_agency

    class Anonymous:
        is_authenticated = False
        pk = an.pk

    class LooksLikeAn:  # the desk's stand-in for an applicant: even with the owner's pk, not a User
        is_authenticated = True
        pk = an.pk

    for other in (None, Anonymous(), LooksLikeAn()):
        assert store_value(other, "Giấy chứng sinh.issuing_agency") is None
    an.is_active = False
    assert store_value(an, "Giấy chứng sinh.issuing_agency") is None


@time_machine.travel(NOW, tick=False)
def test_the_declaration_page_prefills_the_place_of_birth_for_the_owner_only(client, world, form, demo):  # noqa: F811
    assert form.layout["sections"][1]["items"][5]["prefill"] == "store:Giấy chứng sinh.issuing_agency"
    stored(world.citizen, "Giấy chứng sinh", "Bệnh viện Đa khoa tỉnh Gia Lai")
    dossier = draft(world)
    client.force_login(world.citizen)
    html = client.get(url(dossier, form)).content.decode()
    assert 'name="f-ks_noi_sinh" value="Bệnh viện Đa khoa tỉnh Gia Lai"' in html
    assert 'name="f-nyc_ho_ten" value="Nguyễn Văn An"' in html  # beside the account's values

    # another citizen, with a birth certificate of their own, sees theirs on their dossier, never An's
    binh = demo.user("binh.tran@example.com")
    stored(binh, "Giấy chứng sinh", "Trạm y tế phường Quy Nhơn")
    theirs = draft(world)
    theirs.citizen = binh
    theirs.save()
    client.force_login(binh)
    html = client.get(url(theirs, form)).content.decode()
    assert 'name="f-ks_noi_sinh" value="Trạm y tế phường Quy Nhơn"' in html
    assert "Bệnh viện Đa khoa tỉnh Gia Lai" not in html


@time_machine.travel(NOW, tick=False)
def test_the_desk_filling_it_for_a_walk_in_gets_no_store_value(client, world, form):  # noqa: F811
    stored(world.citizen, "Giấy chứng sinh", "Bệnh viện Đa khoa tỉnh Gia Lai")
    stored(world.reception, "Giấy chứng sinh", "Bệnh viện của cán bộ")
    dossier = desk_submitted(world, when=dt.datetime(2026, 6, 1, 1, tzinfo=dt.UTC), version=world.birth)
    assert store_value(_Applicant(dossier), "Giấy chứng sinh.issuing_agency") is None
    client.force_login(world.reception)
    html = client.get(url(dossier, form)).content.decode()
    assert 'name="f-nyc_ho_ten" value="Nguyễn Văn An"' in html      # the applicant's details, as before
    assert 'name="f-ks_noi_sinh" value=""' in html                   # nothing from anyone's store
    assert "Bệnh viện" not in html.split('name="f-ks_noi_sinh"')[1][:80]


def test_a_copy_filed_from_a_dossier_never_answers_for_the_issuer(world):  # noqa: F811 - the fixture
    """A component copied into the store at reception records the receiving desk as its agency: the place of
    birth must not become a ward's name (found in the walk-through)."""
    from dossiers import services
    from dossiers.tests.conftest import APPLICANT

    an = world.citizen
    real = stored(an, "Giấy chứng sinh", "Bệnh viện Đa khoa tỉnh Gia Lai")
    copy = stored(an, "Giấy chứng sinh", "Ủy ban nhân dân phường Pleiku")
    d = services.dossier_create_draft(citizen=an, version=world.birth, agency=world.pleiku, **APPLICANT)
    type(copy).objects.filter(pk=copy.pk).update(source=Source.COMPONENT, source_dossier=d)
    assert store_value(an, "Giấy chứng sinh.issuing_agency") == real.issuing_agency
    assert store_value(an, "Giấy chứng sinh.title") == "Giấy chứng sinh"  # the copy still answers for its title
