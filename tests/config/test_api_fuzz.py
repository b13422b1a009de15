"""Schemathesis over the OpenAPI schema: every operation, bounded generated examples, a manager
token and fixture data. No answer is a 5xx, every status is documented and every body conforms."""

from __future__ import annotations

import itertools
import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.config.api_fuzz_data import existing_id, fuzz_data_make

MAX_EXAMPLES = 4
_turns = itertools.count()

schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)
schema.app = application


@pytest.fixture
def fuzz_key(db, settings):
    """A manager's token over a small shop (catalog, stock, an order, accounts). Requests run in
    the test's transaction: the WSGI handler must not close the connection after each (as
    Django's test client does)."""
    settings.ALLOWED_HOSTS = ["localhost"]
    # Every example must reach its view: the throttles (tests/inventory_app/api/test_throttling.py)
    # would answer the same token's hundreds of requests with 429 (documented on every operation).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": None, "address": None, "auth_failure": None},
    }
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield fuzz_data_make()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, fuzz_key):
    if case.path_parameters and next(_turns) % 2:  # every other example: an existing object
        for name in ("id", "order_id"):
            if name in case.path_parameters and (pk := existing_id(case.path)) is not None:
                case.path_parameters[name] = pk
    response = case.call(base_url="https://localhost", headers={"Authorization": f"Token {fuzz_key}"})

    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
