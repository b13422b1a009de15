"""Cost report pages: COGS a page of whole SKUs at a time, with a link to the next one and the whole
period's totals; valuation as of a date (its end) or a date-time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory_app.admin import reports as reports_admin
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _sold(codes: list[str]) -> None:
    loc, shop = LocationFactory(code="MAIN"), SalesChannelFactory(code="shop")
    for n, code in enumerate(codes, start=1):
        stock_receive(sku=SKUFactory(code=code), location=loc, quantity=5, unit_cost=D(n))
        order, _ = order_create(
            channel=shop,
            data=OrderInput(external_ref=code, lines=[OrderLineInput(sku_code=code, quantity=2)]),
        )
        order_ship(order=order)


def test_cogs_page_shows_a_page_of_skus_links_the_next_and_totals_the_period(admin_client_for, monkeypatch):
    monkeypatch.setattr(reports_admin, "COGS_ROWS_PER_PAGE", 2)
    _sold(["A", "B", "C"])
    client = admin_client_for("viewer")
    url = reverse("admin:inventory_app_costreport_changelist")

    first = client.get(url, {"report": "cogs"})
    links = {label: link for link, label in first.context["links"]}
    second = client.get(url + links["Next page"])
    csv_lines = client.get(url + links["Export CSV"]).content.decode().splitlines()

    assert [row[0] for row in first.context["rows"]] == ["A", "B"]
    # Shipped 2 of each at 1.00, 2.00 and 3.00: the totals are the period's, on every page.
    assert first.context["totals"] == ["Total", "", "", 6, 0, D("12.00"), D("0.00"), D("12.00")]
    assert links["Next page"].endswith("after=B")
    assert [row[0] for row in second.context["rows"]] == ["C"]
    assert second.context["totals"] == first.context["totals"]
    assert "Next page" not in [label for _, label in second.context["links"]]
    assert len(csv_lines) == 4  # the header and every row, whatever the page


def test_valuation_as_of_a_date_includes_that_day_and_a_date_time_is_in_local_time(admin_client_for):
    stock_receive(
        sku=SKUFactory(code="MUG"), location=LocationFactory(code="MAIN"), quantity=3, unit_cost=D(2)
    )
    client = admin_client_for("viewer")
    url = reverse("admin:inventory_app_costreport_changelist")
    today = timezone.localdate().isoformat()

    end_of_today = client.get(url, {"report": "valuation", "as_of": today})
    midnight = client.get(url, {"report": "valuation", "as_of": f"{today}T00:00"})

    assert end_of_today.context["rows"] == [("MUG", "MAIN", 3, D("6.00"), D("2.0000"), "USD")]
    assert midnight.context["rows"] == []  # received after the day began
