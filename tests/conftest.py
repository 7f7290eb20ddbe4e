"""Fixtures of the cross-app tests."""

from __future__ import annotations

import pytest

API_ROLES = {
    "citizen": "an.nguyen@example.com",
    "reception": "tiepnhan.pleiku@demo.gov.vn",
    "administrator": "admin@demo.gov.vn",
}


@pytest.fixture
def api_world(demo):
    """The sample catalogue, a desk dossier received in Pleiku, a citizen's draft with its required files, a draft
    procedure version, and an API token for a citizen, a reception officer and an administrator."""
    from rest_framework.authtoken.models import Token

    from dossiers import services
    from dossiers.tests.conftest import APPLICANT, SAMPLE, attach_required
    from procedures.models import Procedure, VersionStatus
    from procedures.services import version_new_draft_from
    from procedures.transfer import import_procedures

    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    users = {role: demo.user(email) for role, email in API_ROLES.items()}

    class World:
        pass

    world = World()
    world.users = users
    world.tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    world.household = Procedure.objects.get(code="2.000575").versions.get(status=VersionStatus.PUBLISHED)
    world.birth = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)
    world.pleiku = demo.agency("H21.65")
    world.desk = services.dossier_create_at_desk(actor=users["reception"], version=world.household,
                                                 agency=world.pleiku, **APPLICANT)
    world.draft = attach_required(services.dossier_create_draft(citizen=users["citizen"], version=world.birth,
                                                                agency=world.pleiku, **APPLICANT), users["citizen"])
    world.new_version = version_new_draft_from(actor=users["administrator"], version=world.birth,
                                               decision_number="15/QĐ-UBND")
    return world


@pytest.fixture
def api_as(api_world):
    """api_as("citizen") -> an APIClient sending that role's token."""
    from rest_framework.test import APIClient

    def client(role: str) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {api_world.tokens[role]}")
        return api

    return client
