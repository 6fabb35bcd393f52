"""The OpenAPI document describes the whole API, and the API keeps to it (checked by schemathesis)."""
from datetime import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import create_branch, create_event, create_every_day_rules, create_service, create_volunteer, soon


def test_every_api_route_is_documented(app, client):
    documented = {path for path in client.get("/api/v1/openapi.json").json["paths"]}
    routes = {rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert routes == documented


WITHOUT_INPUT = ["GET /branches", "GET /services", "GET /openapi.json"]
WITH_INPUT = ["GET /slots", "POST /bookings", "GET /bookings/{reference}", "POST /bookings/{reference}/cancel",
              "POST /bookings/{reference}/reschedule"]
# Valid and deliberately invalid requests; an operation without input has no invalid request.
CASES = ([(name, GenerationMode.POSITIVE) for name in WITHOUT_INPUT + WITH_INPUT]
         + [(name, GenerationMode.NEGATIVE) for name in WITH_INPUT])


@pytest.fixture
def api_schema(app):
    branch = create_branch(slug="aalsmeer")
    service = create_service(slug="taalvrijwilliger")
    create_every_day_rules(volunteer=create_volunteer(), branch=branch, services=[service],
                           start=time(10), end=time(12))
    event_service = create_service(slug="week", kind="event", duration_minutes=30)
    create_event(service=event_service, branch=branch, starts_at=soon(days=4), capacity=2)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("operation_name, mode", CASES)
def test_api_keeps_to_its_schema_and_never_fails(api_schema, operation_name, mode):
    # Driven through hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.
    method, path = operation_name.split(" ", 1)
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case):
        # Schema-valid is not always valid: "x@y" is a string, yet no e-mail address (422 is right).
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()
