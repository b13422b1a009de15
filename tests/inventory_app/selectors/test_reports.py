"""COGS report per SKU, location and channel; valuation report; CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory_app.selectors.reports import (
    CogsReportRow,
    ValuationReportRow,
    cogs_report,
    cogs_report_page,
    report_csv,
    valuation_report,
)
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import stock_receive, stock_return
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _sell(channel, sku, quantity, ref):
    order, _ = order_create(
        channel=channel,
        data=OrderInput(external_ref=ref, lines=[OrderLineInput(sku_code=sku.code, quantity=quantity)]),
    )
    order_ship(order=order)
    return order


def test_cogs_report_groups_by_sku_location_and_channel_and_nets_returns():
    sku, loc = SKUFactory(code="MUG"), LocationFactory(code="MAIN")
    shop, market = SalesChannelFactory(code="shop"), SalesChannelFactory(code="market")
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("2.00"))
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("3.00"))
    first = _sell(shop, sku, 4, "a")  # 4 x 2.00 = 8.00
    _sell(market, sku, 3, "b")  # 1 x 2.00 + 2 x 3.00 = 8.00
    _sell(shop, sku, 1, "c")  # 3.00
    stock_return(sku=sku, location=loc, quantity=1, order_line_id=first.lines.get().pk)  # back at 2.00

    rows = cogs_report(date_from=timezone.localdate(), date_to=timezone.localdate())

    assert [
        (r.channel_code, r.units_shipped, r.units_returned, r.cost_shipped, r.cost_returned, r.cogs)
        for r in rows
    ] == [
        ("market", 3, 0, D("8.00"), D("0.00"), D("8.00")),
        ("shop", 5, 1, D("11.00"), D("2.00"), D("9.00")),  # 8.00 + 3.00 shipped, 2.00 returned
    ]
    assert {(r.sku_code, r.location_code, r.currency) for r in rows} == {("MUG", "MAIN", "USD")}
    assert cogs_report(date_to=timezone.localdate() - timedelta(days=1)) == []
    assert len(cogs_report(channel_ids=[market.pk])) == 1


def _three_skus_sold():
    """BAG sold on two channels, CUP and MUG on one; MUG partly returned. Returns the channels."""
    loc = LocationFactory(code="MAIN")
    shop, market = SalesChannelFactory(code="shop"), SalesChannelFactory(code="market")
    for code, cost in (("BAG", "1.00"), ("CUP", "2.00"), ("MUG", "3.00")):
        sku = SKUFactory(code=code)
        stock_receive(sku=sku, location=loc, quantity=10, unit_cost=D(cost))
        sold = _sell(shop, sku, 2, f"{code}-shop")
        if code == "BAG":
            _sell(market, sku, 1, "BAG-market")
        if code == "MUG":
            stock_return(sku=sku, location=loc, quantity=1, order_line_id=sold.lines.get().pk)
    return shop, market


def test_cogs_report_page_cuts_between_whole_skus_and_totals_the_whole_period():
    _three_skus_sold()
    today = timezone.localdate()

    first = cogs_report_page(date_from=today, date_to=today, limit=2)
    second = cogs_report_page(date_from=today, date_to=today, limit=2, after_sku_code=first.next_after)

    # BAG has two rows (two channels): CUP's row would make three, so the first page stops at BAG.
    assert [(r.sku_code, r.channel_code) for r in first.rows] == [("BAG", "market"), ("BAG", "shop")]
    assert first.next_after == "BAG"
    assert [(r.sku_code, r.cogs) for r in second.rows] == [("CUP", D("4.00")), ("MUG", D("3.00"))]
    assert second.next_after is None
    assert first.rows + second.rows == cogs_report(date_from=today, date_to=today)
    figures = (first.units_shipped, first.units_returned, first.cost_shipped, first.cost_returned, first.cogs)
    # Shipped: BAG 3 x 1.00, CUP 2 x 2.00, MUG 2 x 3.00; returned: MUG 1 x 3.00.
    assert figures == (7, 1, D("13.00"), D("3.00"), D("10.00"))
    assert (second.units_shipped, second.cogs) == (7, D("10.00"))  # the totals do not depend on the page


def test_cogs_report_page_by_channel_and_of_an_empty_period():
    _, market = _three_skus_sold()
    yesterday = timezone.localdate() - timedelta(days=1)

    by_market = cogs_report_page(channel_ids=[market.pk], limit=10)
    empty = cogs_report_page(date_to=yesterday, limit=10)

    assert [(r.sku_code, r.units_shipped, r.cogs) for r in by_market.rows] == [("BAG", 1, D("1.00"))]
    assert (by_market.next_after, by_market.units_shipped, by_market.cogs) == (None, 1, D("1.00"))
    assert (empty.rows, empty.next_after, empty.units_shipped, empty.units_returned) == ([], None, 0, 0)
    assert (empty.cost_shipped, empty.cost_returned, empty.cogs) == (D("0.00"), D("0.00"), D("0.00"))


@pytest.mark.embedded
def test_valuation_report_and_csv_export():
    sku, loc = SKUFactory(code="MUG"), LocationFactory(code="MAIN")
    stock_receive(sku=sku, location=loc, quantity=3, unit_cost=D("0.3333"))  # round(0.9999) = 1.00

    rows = valuation_report()

    assert rows == [ValuationReportRow(sku.pk, "MUG", loc.pk, "MAIN", 3, D("1.00"), D("0.3333"), "USD")]
    text = report_csv(rows=rows, row_type=ValuationReportRow)
    assert text.splitlines() == [
        "sku_id,sku_code,location_id,location_code,quantity,value,unit_cost,currency",
        f"{sku.pk},MUG,{loc.pk},MAIN,3,1.00,0.3333,USD",
    ]
    assert report_csv(rows=[], row_type=CogsReportRow).startswith("sku_id,sku_code,location_id")


@pytest.mark.parametrize("code", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"])
def test_csv_cells_that_would_run_as_formulas_are_escaped(code):
    sku, loc = SKUFactory(code="MUG"), LocationFactory(code=code[:32])
    stock_receive(sku=sku, location=loc, quantity=1, unit_cost=D("2"))
    rows = valuation_report()

    text = report_csv(rows=rows, row_type=ValuationReportRow)

    cells = list(csv.reader(io.StringIO(text, newline="")))[1]
    assert cells[3] == "'" + code
    assert cells[1] == "MUG" and cells[5] == "2.00"
