"""Schemathesis against the API's own OpenAPI schema (drf-spectacular), in-process through the WSGI app (no server).

The cases are shared among four roles (anonymous, a citizen, a reception officer, an administrator; token
authentication), each case always going out as the same role. The test fails on any 5xx answer and on any answer the
schema does not describe (status code, content type, body). Each request runs inside a savepoint rolled back
afterwards and the cache is cleared, so every case meets the same database and the same counters (no throttling
carried over): with derandomized generation and a fixed seed two runs send the same requests. About 1,600 requests.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.pytest.lazy import get_all_tests

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["anonymous", "citizen", "reception", "administrator"]  # tokens: tests/conftest.py api_world
MIN_CASES = 1000  # requests sent, all roles together

# Fixed seed, derandomized generation, no example database, no shrinking and no health checks (which time the
# generation): the same requests on every machine, however loaded. Coverage cases (boundary and invalid values
# derived from the schema) come first, then max-examples generated cases per operation.
CONFIG = {
    "seed": 15,
    "suppress-health-check": ["all"],
    "generation": {"mode": "all", "max-examples": 50, "deterministic": True, "database": "none", "no-shrink": True},
    "phases": {"stateful": {"enabled": False}},
}


class IsolatedApp:
    """Django's WSGI handler, each request in a savepoint rolled back after the body is read.

    Inside the test's transaction the connection must not be closed at request boundaries (as Django's test
    client does, `close_old_connections` is kept off the request signals while the fuzzer runs).
    """

    def __init__(self):
        self.handler = WSGIHandler()
        self.errors: list[str] = []
        self.count = 0

    def _record_error(self, sender, request=None, **kwargs):
        import traceback

        self.errors.append(f"{request.method if request else '?'} {request.get_full_path() if request else '?'}\n"
                           f"{traceback.format_exc()}")

    def __call__(self, environ, start_response):
        self.count += 1
        cache.clear()
        with transaction.atomic():
            result = self.handler(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            transaction.set_rollback(True)
        return [body]


@pytest.fixture
def fuzz_app(demo):
    app = IsolatedApp()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(app._record_error)
    yield app
    got_request_exception.disconnect(app._record_error)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(api_world):
    """Real ids and codes the generated cases sometimes use, so requests reach the objects, not only 404s."""
    draft = api_world.draft
    return {
        "tokens": api_world.tokens,
        "ids": {
            "/api/dossiers/": [api_world.desk.pk, draft.pk],
            "/api/attachments/": list(draft.attachments.values_list("pk", flat=True)),
            "/api/procedure-versions/": [api_world.birth.pk, api_world.new_version.pk],
        },
        "codes": ["2.000575", "1.001193"],
        "track": [{"code": api_world.desk.code, "pin": api_world.desk.pin}],
    }


@pytest.fixture
def api_schema(fuzz_app, fuzz_world):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", fuzz_app,
                                            config=SchemathesisConfig.from_dict(CONFIG))

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Half of the cases keep the generated ids, the other half name objects that exist."""
        if not path_parameters:
            return st.just(path_parameters)
        path = context.operation.path
        choices = [path_parameters]
        if "id" in path_parameters:
            for prefix, ids in fuzz_world["ids"].items():
                if path.startswith(prefix):
                    choices += [{**path_parameters, "id": pk} for pk in ids]
        if "code" in path_parameters:
            choices += [{**path_parameters, "code": code} for code in fuzz_world["codes"]]
        return st.sampled_from(choices)

    @schema.hook
    def flatmap_query(context, query):
        if context.operation.path == "/api/dossiers/track/":
            return st.sampled_from([query or {}, *fuzz_world["track"]])
        return st.just(query)

    return schema


def _role_for(case) -> str:
    """Each case goes out as one role, picked from its content: the same case always as the same role (a replayed
    example stays the same request), and all four roles share the cases evenly."""
    key = repr((case.method, case.path, case.path_parameters, case.query, case.body)).encode()
    return ROLES[hashlib.sha256(key).digest()[0] % len(ROLES)]


def test_api_answers_no_5xx_and_matches_its_schema(api_schema, fuzz_app, fuzz_world):
    per_role = Counter()

    def send(case):
        role = _role_for(case)
        per_role[role] += 1
        token = fuzz_world["tokens"].get(role)
        headers = {"Authorization": f"Token {token}"} if token else None
        errors_before = len(fuzz_app.errors)
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, BaseExceptionGroup) as exc:
            exc.add_note(f"as {role}")
            for error in fuzz_app.errors[errors_before:]:
                exc.add_note(error)
            raise

    started = time.monotonic()
    failures, operations = [], 0
    for result in get_all_tests(schema=api_schema, test_func=send, settings=None, given_kwargs={}):
        operation, run = result.ok()
        operations += 1
        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation runs, failures reported together
            notes = "\n".join(getattr(exc, "__notes__", []))
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}\n{notes}")
    print(f"\nschemathesis: {fuzz_app.count} requests ({dict(per_role)}) on {operations} operations "
          f"in {time.monotonic() - started:.0f}s")
    assert not failures, "\n\n".join(failures)
    assert operations >= 14
    assert fuzz_app.count >= MIN_CASES and min(per_role[role] for role in ROLES) >= MIN_CASES // 10
