"""English: counts use plural forms, the nav's "Kết quả giải quyết" and the consultation's "Nội dung" have
their own source strings (so "0 dossier", "Result" in the nav and "Question" as the feedback body label go).

The English catalogue is completed after merging, so each test adds the entries it needs to the loaded
English catalogue (as the .po will hold them) and removes them afterwards."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    """Switch the client to English and let the test add catalogue entries."""
    catalog = trans_real.translation("en")._catalog._catalogs[0]
    saved = dict(catalog)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    def add(entries: dict) -> None:
        catalog.update(entries)

    yield add
    catalog.clear()
    catalog.update(saved)
    translation.activate(settings.LANGUAGE_CODE)


def test_a_count_of_dossiers_is_plural_in_english(client, world, english):
    from docstore.models import StoredDocument

    english({("%(n)s hồ sơ", 0): "%(n)s dossier", ("%(n)s hồ sơ", 1): "%(n)s dossiers"})
    StoredDocument.objects.create(owner=world.citizen, title="Căn cước", source="component", original_name="cccd.pdf",
                                  size=10, sha256="a" * 64, content_type="application/pdf")
    client.force_login(world.citizen)
    page = client.get(reverse("docstore:store")).content.decode()
    assert "0 dossiers" in page and "0 dossier<" not in page


def test_the_nav_names_the_public_results_page_not_a_result(client, db, english):
    english({"navigation: the public page of dossier statistics\x04Kết quả giải quyết": "Service results"})
    page = client.get("/").content.decode()
    link = re.search(r'data-nav="transparency"[^>]*>([^<]+)<', page)
    assert link and link.group(1) == "Service results"


def test_the_feedback_body_is_not_labelled_question(client, world, english):
    from dossiers import services
    from dossiers.tests.transitions_helper import drive
    from dossiers.workflow import Status

    # The .po will say "Content" for the plain label and "Question" for what is asked of another agency.
    english({"Nội dung": "Content", "Nội dung xin ý kiến": "Question"})
    form = client.get(reverse("feedback:new")).content.decode()
    assert re.search(r"<span>Content <span class=\"req\">", form) and "Question" not in form
    d = drive(world, Status.CONSULTING)
    assert services  # the consultation was asked through the service (drive)
    client.force_login(world.appraiser)
    detail = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "<th>Question</th>" in detail


COUNTED = ("hồ sơ", "thủ tục", "ngày", "giờ", "lần", "phút", "giấy tờ", "phiếu", "lượt", "điểm", "phản ánh")


def test_no_template_puts_a_number_before_a_translated_noun():
    """`{{ n }} {% translate "hồ sơ" %}` cannot be plural; `{% blocktranslate count %}` must be used."""
    found = []
    nouns = "|".join(re.escape(n) for n in COUNTED)
    bare = re.compile(r"\{\{ *[\w.]+ *\}\} *\{% *translate \"(" + nouns + r")\" *%\}")
    uncounted = re.compile(r"\{% blocktranslate (?![^%]*\bcount\b)[^%]*%\}[^{]*\{\{ *\w+ *\}\} *(" + nouns + r")\b")
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*"):
        if path.suffix in (".html", ".txt") and path.is_file():
            text = path.read_text(encoding="utf-8")
            found += [f"{path.name}: {m.group(0)}" for m in bare.finditer(text)]
            found += [f"{path.name}: {m.group(0)}" for m in uncounted.finditer(text)]
    assert found == []


def test_time_limits_are_plural_aware(db, english):
    from decimal import Decimal

    from procedures.models import ChannelOption

    english({("%(n)s ngày làm việc", 0): "%(n)s working day", ("%(n)s ngày làm việc", 1): "%(n)s working days"})
    translation.activate("en")
    one = ChannelOption(time_limit=Decimal("1"), unit="working_days")
    half = ChannelOption(time_limit=Decimal("0.5"), unit="working_days")
    five = ChannelOption(time_limit=Decimal("5.00"), unit="working_days")
    assert (one.time_limit_display, half.time_limit_display, five.time_limit_display) == (
        "1 working day", "0.5 working days", "5 working days")
