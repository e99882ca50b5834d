"""Schemathesis over the whole OpenAPI schema, in-process, anonymously and as an official.

Every operation of /api/v1/openapi.json gets generated requests, valid and invalid (schemathesis'
examples, coverage and fuzzing phases), through the real WSGI application: middleware, session,
CSRF check, Ninja, services, database. Each answer must be no server error, of a status the
operation documents, and of the declared media type and schema. Issue 11 §5 found its 500s this
way (11,186 requests); this run is bounded to a few examples per operation, derandomized with a
fixed seed, so it is reproducible and takes a couple of minutes (`pytest -m schema` alone).
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from schemathesis.checks import (
    content_type_conformance,
    max_response_time,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.catalog.tests.conftest import birth_form, catalog_admin  # noqa: F401 (fixtures)
from motcua.dossiers.tests.conftest import world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.schema, pytest.mark.django_db]

# A CSRF secret as Django makes them: 32 letters and digits (anything else fails the check).
CSRF_TOKEN = "SchemathesisCsrfToken0123456789a"
# Generated requests per operation in the fuzzing phase (the coverage phase adds its own). More
# finds more, slowly: MOTCUA_SCHEMA_EXAMPLES=100 for a deeper run by hand.
MAX_EXAMPLES = int(os.environ.get("MOTCUA_SCHEMA_EXAMPLES", "10"))
MAX_SECONDS = 15.0
CONFIG = {
    "seed": 20260718,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "suppress-health-check": ["all"],
    # Half of gunicorn's 30 s worker timeout: no request may come near it (issue 11 §5.7).
    "checks": {"max_response_time": MAX_SECONDS},
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    max_response_time,
]
# Every role of the back office, over the whole demo province: the deepest code paths.
ROLES = [
    "province_admin",
    "catalog_admin",
    "receiving_officer",
    "unit_leader",
    "specialist",
    "agency_leader",
    "inspector",
]


@pytest.fixture
def wsgi_in_this_transaction():
    """The application in-process, inside the test's transaction.

    Django closes a connection at each request's start and end when it is not in autocommit:
    that would end the test's transaction, which the test client avoids the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "official"])
def api_schema(request, world, make_official, wsgi_in_this_transaction):  # noqa: F811
    # schemathesis 4.32 reads the node id as `_nodeid`, which pytest 9 renamed: give it one.
    request.node._nodeid = request.node.nodeid
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json",
        wsgi_in_this_transaction,
        config=schemathesis.Config.from_dict(CONFIG),
    )
    schema.session = {"cookies": {}, "headers": {}}
    schema.statuses = Counter()
    schema.slowest = (0.0, "")
    if request.param == "official":
        root = world.tree["root"]
        official = make_official("st.official", root, [(role, root, True) for role in ROLES])
        client = Client()
        client.force_login(official)
        schema.session = {
            "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_TOKEN},
            "headers": {"X-CSRFToken": CSRF_TOKEN},
        }
    started = time.monotonic()
    yield schema
    # The run's figures, on the terminal: operations, requests, answers by status.
    operations = sum(1 for _ in schema.get_all_operations())
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(schema.statuses.items()))
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nschemathesis ({request.param}): {operations} operations, "
                f"{schema.statuses.total()} requests in {time.monotonic() - started:.0f} s "
                f"(answers by status: {statuses}; slowest {schema.slowest[0]:.2f} s, "
                f"{schema.slowest[1]})"
            )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_api_conforms_to_its_schema(case, api_schema):
    session = api_schema.session
    # Each generated request in a savepoint rolled back: cases do not see each other's writes,
    # so a failure replays alone.
    with transaction.atomic():
        response = case.call(cookies=session["cookies"], headers=session["headers"])
        transaction.set_rollback(True)
    api_schema.statuses[response.status_code] += 1
    api_schema.slowest = max(api_schema.slowest, (response.elapsed, case.operation.label))
    case.validate_response(response, checks=CHECKS)
