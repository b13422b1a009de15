"""Every list refuses an unknown query parameter or ordering with a 400 naming it (generated from
the API's endpoint list, so a list added later is held to it)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import EndpointEnumerator

from inventory_app.models import Order
from tests.factories import SalesChannelFactory
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db


def _lists() -> list[str]:
    found = []
    for path, _, method, callback in EndpointEnumerator().get_api_endpoints():
        if method == "GET" and "{" not in path and getattr(callback, "actions", {}).get("get") == "list":
            found.append(path)
    return sorted(found)


LISTS = _lists()


def test_the_lists_cover_every_app():
    assert {
        "/api/v1/orders/",
        "/api/v1/levels/",
        "/api/v1/movements/",
        "/api/v1/channel-listings/",
        "/api/v1/shipping/shipments/",
        "/api/v1/accounting/documents/",
        "/api/v1/purchase-orders/",
    } <= set(LISTS)


@pytest.mark.parametrize("path", [*LISTS, "/api/v1/availability/"])
def test_an_unknown_parameter_is_a_400_naming_it(api_client, path):
    response = api_client("manager").get(path, {"updated_since": "2026-01-01T00:00:00Z", "format": "json"})

    assert response.status_code == 400
    assert field_errors(response) == {"updated_since": ["Unknown query parameter."]}


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_ordering_is_a_400_naming_it(api_client, path):
    response = api_client("manager").get(path, {"ordering": "-no_such_field"})

    assert response.status_code == 400
    assert list(field_errors(response)) == ["ordering"]
    assert "-no_such_field" in field_errors(response)["ordering"][0]


def test_the_issue_report_updated_after_and_ordering_are_no_longer_ignored(api_client):
    channel = SalesChannelFactory()
    for i in range(3):
        Order.objects.create(channel=channel, external_ref=f"R{i}")
    viewer = api_client("viewer")

    unknown = viewer.get("/api/v1/channels/", {"updated_after": "2026-01-01T00:00:00Z"})
    ordered = viewer.get("/api/v1/orders/", {"ordering": "updated_at"})
    bad_term = viewer.get("/api/v1/orders/", {"ordering": "updated_at,,customer_phone"})

    assert field_errors(unknown) == {"updated_after": ["Unknown query parameter."]}
    assert [row["external_ref"] for row in ordered.json()["results"]] == ["R0", "R1", "R2"]
    assert bad_term.status_code == 400
    assert Order.objects.count() == 3
