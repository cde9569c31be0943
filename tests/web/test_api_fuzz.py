"""schemathesis over the API's OpenAPI schema: whatever it sends, never a server error.

Derandomised, so that CI runs the same examples every time; widen ``max_examples`` or drop
``derandomize`` locally to explore further.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.db import connection
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from cluneal.web.wsgi import application

# A body over the site's size limit is refused with 413 (Content Too Large): a rejection too.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [*REJECTED, "5xx"]}}}
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


TRUNCATE_TRIGGER = "audit_no_truncate ON audit_auditevent"


def _truncate_trigger(enabled: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            state = "ENABLE" if enabled else "DISABLE"
            cursor.execute(f"ALTER TABLE audit_auditevent {state} TRIGGER audit_no_truncate")


@pytest.fixture(scope="module")
def _trigger_restored(django_db_blocker: Any) -> Iterator[None]:
    """After the module's last flush, the audit trail refuses TRUNCATE again."""
    yield
    with django_db_blocker.unblock():
        _truncate_trigger(enabled=True)


@pytest.fixture(autouse=True)
def _flushable(transactional_db: None, _trigger_restored: None) -> Iterator[None]:
    """Django empties the database after a transactional test with TRUNCATE, which the audit
    trail's PostgreSQL trigger refuses, as it must; the trigger is off for that flush only (set
    up before this fixture, the flush runs after its teardown)."""
    _truncate_trigger(enabled=True)
    yield
    _truncate_trigger(enabled=False)


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    # Answers match their documented schema too (the assessment, the 422 problem list).
    case.validate_response(response)
