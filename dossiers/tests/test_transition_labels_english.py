"""The workflow's transition labels are shown to users (the action buttons, the "done" message): they go through
gettext, so the English page shows them in English.

The English catalogue is completed after merging, so the test adds the entries it needs to the loaded English
catalogue (as the .po will hold them) and removes them afterwards."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real

from dossiers.workflow import TRANSITIONS, Status

from .transitions_helper import drive

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    catalog = trans_real.translation("en")._catalog._catalogs[0]
    saved = dict(catalog)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    yield catalog.update
    catalog.clear()
    catalog.update(saved)
    translation.activate(settings.LANGUAGE_CODE)


def test_every_label_is_translatable():
    assert all(isinstance(t.label, Promise) for t in TRANSITIONS)


def test_the_action_buttons_and_the_done_message_are_in_english(client, world, english):
    english({"Chuyển chuyên viên thẩm định": "Assign an appraiser", "Rút hồ sơ": "Withdraw the dossier",
             "Đã thực hiện: %s.": "Done: %s."})
    d = drive(world, Status.RECEIVED)
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-action="assign">Assign an appraiser</button>' in page
    assert 'data-action="withdraw">Withdraw the dossier</button>' in page
    assert "Chuyển chuyên viên thẩm định" not in page
    response = client.post(reverse("dossiers:action", args=[d.pk, "assign"]),
                           {"expected_status": "received", "appraiser": world.appraiser.pk}, follow=True)
    assert "Done: Assign an appraiser." in response.content.decode()
    with translation.override("vi"):
        assert str(TRANSITIONS[0].label) == "Nộp hồ sơ"  # the source string is the Vietnamese label
