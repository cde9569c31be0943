"""schemathesis over the API's OpenAPI schema: whatever it sends, never a server error.

Derandomised, so that CI runs the same examples every time; widen ``max_examples`` or drop
``derandomize`` locally to explore further.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from cluneal.web.wsgi import application

# A body over the site's size limit is refused with 413 (Content Too Large): a rejection too.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [*REJECTED, "5xx"]}}}
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    # Answers match their documented schema too (the assessment, the 422 problem list).
    case.validate_response(response)
