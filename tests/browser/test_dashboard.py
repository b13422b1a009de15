"""In a real browser: log in, the dashboard draws its charts, a low-stock SKU is one click away;
the API docs render; nothing is loaded from another host."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.models import SalesChannel
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.reorder import reorder_rule_set
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    location = LocationFactory(code="WH1")
    tee, mug = SKUFactory(code="TEE-BLUE"), SKUFactory(code="MUG-RED")
    stock_receive(sku=tee, location=location, quantity=20)
    stock_receive(sku=mug, location=location, quantity=2)
    reorder_rule_set(sku=mug, location=location, reorder_point=5, reorder_quantity=24)
    channel = SalesChannel.objects.get(code="manual")
    order_create(
        channel=channel,
        data=OrderInput(
            external_ref="W-1", lines=[OrderLineInput("TEE-BLUE", 3, unit_price=Decimal("12.50"))]
        ),
    )
    return tee, mug


def test_log_in_see_the_charts_and_reach_a_low_stock_sku_in_one_click(staff_session, shop):
    session = staff_session("viewer")
    page = session.page

    session.shot("dashboard")
    charts = page.locator("svg.dashboard-chart")
    bars = page.locator("svg.dashboard-chart rect.bar")
    low = page.locator("#low-stock-link")
    assert charts.count() == 2
    assert bars.count() == 3  # today's sales; the channel's sales and its COGS (nothing shipped: 0)
    assert bars.first.bounding_box()["height"] > 100  # today's 37.50 is the month's peak: full height
    assert charts.first.bounding_box()["width"] > 600  # drawn across the page, not collapsed
    assert low.inner_text().startswith("1")

    low.click()
    page.wait_for_url("**/admin/inventory_app/sku/?stock=low")
    session.shot("low-stock-skus")
    codes = page.locator("#result_list tbody th a, #result_list tbody td.field-code a").all_inner_texts()

    assert codes == ["MUG-RED"]
    assert session.foreign_requests() == []


def test_api_docs_render_from_our_own_files(staff_session):
    session = staff_session("viewer")
    page = session.page

    session.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    session.shot("swagger-ui", full_page=False)  # the API docs are pages tall: the viewport
    title = page.locator(".swagger-ui .info .title").inner_text()
    session.goto("/api/redoc/")
    page.wait_for_selector("redoc h1")
    session.shot("redoc", full_page=False)

    assert title.startswith("Stock master API")
    assert page.locator("redoc h1").first.inner_text().startswith("Stock master API")
    # Redoc's bundle asks for its vendor's logo from a CDN: our policy refuses it in the browser.
    page.wait_for_load_state("networkidle")
    assert session.csp_refused() == ["https://cdn.redoc.ly/redoc/logo-mini.svg"]
    assert session.foreign_requests() == []
