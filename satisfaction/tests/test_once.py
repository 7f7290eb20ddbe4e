"""Back + send again on the survey link: the first answer, never a second one."""

import pytest
import time_machine

from dossiers.tests.test_once import once_key
from satisfaction.models import SurveyResponse

from .conftest import at

pytestmark = pytest.mark.django_db
HAPPY = {"access": 5, "procedure": 4, "officer": 5, "result": 4, "feedback": 4, "overall": 5}


def test_the_survey_answered_twice_from_one_page_keeps_the_first_answer(world, returned, client):
    d = returned()
    url = f"/danh-gia/{d.survey_invitation.token}/"
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        key = once_key(client.get(url).content.decode())
        first = client.post(url, {**HAPPY, "once_key": key})
        again = client.post(url, {**HAPPY, "overall": 1, "once_key": key})
    # The link already kept one answer per invitation (a unique row); the key adds the parallel case.
    assert first.status_code == 302 and again.status_code == 200 and "Cảm ơn" in again.content.decode()
    assert SurveyResponse.objects.get().overall == 5

