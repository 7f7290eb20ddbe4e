"""The load test's pieces (issue #21), without locust: loadtest_setup's sessions, codes and procedures, and the
page checks of tests/load/pages.py, against the real pages (CSRF enforced, as gunicorn would)."""

import io
import json

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client

from dossiers.management.commands.loadtest_setup import roles_in_turn
from dossiers.models import Dossier
from tests.load import pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(db):
    call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")
    call_command("generate_province", "--agencies", "12", "--count", "900", "--days", "120", stdout=io.StringIO())


def _client(session_key: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = session_key
    return client


def test_staff_sessions_work_their_queues_with_real_transitions(province, tmp_path):
    out = tmp_path / "load.json"
    call_command("loadtest_setup", "--staff", "3", "--tracking", "20", "--procedures", "5", "--output", str(out),
                 stdout=io.StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    staff = data["staff"]
    assert {s["role"] for s in staff} == {"appraiser", "approver", "reception"}
    assert len({s["agency"] for s in staff}) == 3  # one officer per agency: nobody shares a queue
    assert all(s["email"].endswith("@sinh-du-lieu.invalid") for s in staff)  # never a real officer
    for officer in staff:
        client = _client(officer["session"])
        listing = client.get(f"/ho-so/can-xu-ly/?queue=mine&role={officer['role']}")
        text = listing.content.decode()
        assert pages.check("worklist", listing.status_code, text) is None
        rows = pages.dossier_rows(text)
        assert rows, officer
        moved = None
        for pk, code in rows[:5]:
            detail = client.get(f"/ho-so/{pk}/")
            body = detail.content.decode()
            assert pages.check("dossier", detail.status_code, body, code=code) is None
            chosen = pages.choose_transition(officer["role"], pages.action_forms(body))
            if chosen:
                moved = (pk, code, *chosen, Dossier.objects.get(pk=pk).status)
                break
        assert moved, officer
        pk, code, name, data_, before = moved
        response = client.post(f"/ho-so/{pk}/{name}/", data_, follow=True)
        body = response.content.decode()
        assert pages.check("dossier", response.status_code, body, code=code) is None
        assert pages.outcome(body) == "done", (name, body[:2000])
        assert Dossier.objects.get(pk=pk).status != before
        # The same form again: the dossier moved meanwhile, the page says so (a refusal, not an error).
        again = client.post(f"/ho-so/{pk}/{name}/", data_, follow=True)
        assert pages.outcome(again.content.decode()) == "refused"

    public = Client()
    for code, pin in data["tracking"][:5]:
        r = public.get("/ho-so/tra-cuu/", {"code": code, "pin": pin})
        assert pages.check("track", r.status_code, r.content.decode(), code=code) is None
    for code in data["procedures"]:
        r = public.get(f"/thu-tuc/{code}/")
        assert pages.check("procedure", r.status_code, r.content.decode(), code=code) is None
    r = public.get("/thu-tuc/", {"q": "khai sinh"})
    assert pages.check("catalogue", r.status_code, r.content.decode()) is None

    # A wrong page is caught: the login form instead of the worklist, a wrong code, an error status.
    login = public.get("/ho-so/can-xu-ly/?queue=mine", follow=True)
    assert pages.check("worklist", login.status_code, login.content.decode()) is not None
    r = public.get("/ho-so/tra-cuu/", {"code": data["tracking"][0][0], "pin": "000000"})
    assert pages.check("track", r.status_code, r.content.decode(), code=data["tracking"][0][0]) is not None
    assert pages.check("catalogue", 400, "") is not None

    call_command("loadtest_setup", "--clear", str(out), stdout=io.StringIO())
    assert not Session.objects.filter(session_key__in=[s["session"] for s in staff]).exists()
    assert _client(staff[0]["session"]).get("/ho-so/can-xu-ly/").status_code == 302  # to the login page


@pytest.mark.parametrize("args", [["--staff", "0"], ["--staff", "500"], ["--clear", "/nonexistent/x.json"]])
def test_bad_arguments(db, args, tmp_path):
    sessions = Session.objects.count()
    with pytest.raises(CommandError):
        call_command("loadtest_setup", *args, "--output", str(tmp_path / "x.json"), stdout=io.StringIO())
    assert Session.objects.count() == sessions and not (tmp_path / "x.json").exists()


def test_an_agency_without_work_for_a_role_passes_that_role_on():
    """The second busiest agency has nothing awaiting approval: the third takes the leader's turn (it went to
    nobody, and the run had no approver: failed once in CI)."""
    work = {(1, "appraiser"), (1, "approver"), (1, "reception"), (2, "appraiser"), (2, "reception"),
            (3, "appraiser"), (3, "approver"), (3, "reception"), (4, "reception")}

    def officer_for(agency, role):
        return {"agency": agency, "role": role} if (agency, role) in work else None

    chosen = roles_in_turn([1, 2, 3, 4], 4, officer_for)
    assert [(o["agency"], o["role"]) for o in chosen] == [(1, "appraiser"), (2, "reception"), (3, "approver"),
                                                         (4, "reception")]
    # with work for every role everywhere: strictly in turn
    assert [o["role"] for o in roles_in_turn([1, 2, 3, 4, 5], 5, lambda a, r: {"role": r})] == [
        "appraiser", "approver", "reception", "appraiser", "approver"]
