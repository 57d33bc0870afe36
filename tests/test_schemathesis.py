"""Property-based API testing against the app's own OpenAPI spec: no 5xx, no schema violations.

Driven through schemathesis' Python API (its pytest plugin does not run under pytest 9), with a
bounded number of examples per operation.
"""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app

EXAMPLES = 15
# schemathesis' own read timeout is 10 s: on a 2-core CI machine one request of a full run once took longer (GET
# /api/communes, fast when Hypothesis replayed it), and this test checks what the API answers, not how fast;
# speed is measured by `tthc bench`. A request that hangs still fails, after a minute.
TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def fuzz_schema(settings, assistant):
    limits = {"rate_limit_per_minute": 10**6, "search_rate_limit_per_minute": 10**6, "admin_failures_limit": 10**6}
    app = create_app(settings.model_copy(update=limits), assistant=assistant)
    with TestClient(app):  # run the lifespan once; the state stays on the app
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations():
    app_schema = schemathesis.openapi.from_dict(create_app().openapi())
    return [r.ok().label for r in app_schema.get_all_operations()]


@pytest.mark.parametrize("label", _operations())
def test_operation_conforms_to_the_spec(fuzz_schema, label):
    operation = next(r.ok() for r in fuzz_schema.get_all_operations() if r.ok().label == label)

    @given(case=operation.as_strategy())
    @hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        # Every check but "schema-valid data must be accepted": a question of only zero-width characters, or
        # random bytes uploaded as audio, are schema-valid yet rightly refused with a 422 that says why.
        case.call_and_validate(excluded_checks=[positive_data_acceptance], timeout=TIMEOUT_SECONDS)

    run()
