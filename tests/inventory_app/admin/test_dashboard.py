"""The admin's home is the dashboard: orders by channel, attention, stock, charts, each a link to its list."""

from __future__ import annotations

import html
import re

import pytest

from inventory_app.models import Order
from inventory_app.services.dashboard import FIGURES_KEY
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.reorder import reorder_rule_set
from tests.factories import SKUFactory, UserFactory

pytestmark = pytest.mark.django_db


def _link(page: str, element_id: str) -> str:
    match = re.search(rf'href="([^"]+)"\s+id="{element_id}"', page)
    assert match, f"no link {element_id}"
    return html.unescape(match.group(1))


def test_dashboard_is_the_admin_home_with_todays_orders_by_channel(admin_client_for, data):
    client = admin_client_for("viewer")

    page = client.get("/admin/").content.decode()

    assert 'id="orders-by-channel"' in page
    today_link = re.search(
        r'<td>Manual / API</td>\s*<td><a href="([^"]+)">1</a></td><td><a href="[^"]+">3</a>', page
    )
    assert today_link, "today: 1 order, 3 units on the manual channel"
    listed = client.get(html.unescape(today_link.group(1)))
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [data.order]
    assert "All lists" in page and "/admin/inventory_app/sku/" in page  # the model lists stay reachable


def test_low_and_out_of_stock_figures_link_to_the_filtered_sku_list(admin_client_for, data):
    reorder_rule_set(sku=data.other, location=data.wh2, reorder_point=5, reorder_quantity=10)
    empty = SKUFactory(code="EMPTY")
    client = admin_client_for("viewer")

    page = client.get("/admin/").content.decode()
    low = client.get(_link(page, "low-stock-link"))
    out = client.get(_link(page, "out-of-stock-link"))

    assert re.search(r"<strong>1</strong> SKUs low", page)
    assert re.search(r"<strong>1</strong> SKUs out of stock", page)
    assert [s.code for s in low.context["cl"].result_list] == ["MUG"]
    assert [s.code for s in out.context["cl"].result_list] == [empty.code]
    assert "no supplier" in page  # the suggestion for MUG says it has none


def test_orders_needing_attention_show_why_and_oversold_ones_link_to_their_list(admin_client_for, data):
    flagged, _ = order_create(
        channel=data.channel,
        data=OrderInput(external_ref="A-101", lines=[OrderLineInput("NOSUCH", 1)]),
    )
    client = admin_client_for("viewer")

    page = client.get("/admin/").content.decode()
    oversold = client.get(_link(page, "oversold-link"))

    assert flagged.needs_attention
    assert "A-101" in page and "Unknown SKU(s): NOSUCH" in page
    assert oversold.status_code == 200 and list(oversold.context["cl"].result_list) == []
    assert Order.objects.filter(needs_attention=True).count() == 1  # reading changed nothing


def test_charts_are_inline_svg_with_bars_linking_to_the_orders_of_that_day(admin_client_for, data):
    client = admin_client_for("viewer")

    page = client.get("/admin/").content.decode()

    charts = re.findall(r'<svg class="dashboard-chart"', page)
    bars = re.findall(r'<a href="([^"]+)"><rect class="bar"', page)
    assert len(charts) == 2
    assert bars, "the manual channel's sales of today are drawn"
    listed = client.get(html.unescape(bars[0]))
    assert list(listed.context["cl"].result_list) == [data.order]
    assert "<script" not in page.split('id="charts"')[1].split("</section>")[0]


def test_dashboard_needs_a_staff_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_staff_login_without_a_role_sees_no_figures(client, data):
    client.force_login(UserFactory(username="norole", is_staff=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "dashboard" not in response.context
    assert b'id="orders-by-channel"' not in response.content
    assert b'id="attention"' not in response.content


def test_root_redirects_to_the_dashboard(client):
    response = client.get("/")

    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_celery_schedules_are_a_system_section_for_superusers_only(admin_client_for):
    manager = admin_client_for("manager")
    manager_home = manager.get("/admin/").content.decode()
    manager_list = manager.get("/admin/django_celery_beat/periodictask/")
    root = admin_client_for(None)
    root_home = root.get("/admin/").content.decode()

    assert "django_celery_beat" not in manager_home and "Clocked" not in manager_home
    assert manager_list.status_code == 403
    assert "System: scheduled jobs (Celery beat)" in root_home
    assert root.get("/admin/django_celery_beat/periodictask/").status_code == 200


def test_stock_figures_are_cached_for_the_configured_seconds_and_orders_stay_live(
    admin_client_for, data, settings
):
    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.delete(FIGURES_KEY)
    client = admin_client_for("viewer")
    client.get("/admin/")
    SKUFactory(code="EMPTY-LATER")
    order_create(
        channel=data.channel, data=OrderInput(external_ref="A-102", lines=[OrderLineInput("MUG", 1)])
    )

    page = client.get("/admin/").content.decode()
    cache.delete(FIGURES_KEY)

    assert re.search(r"<strong>0</strong> SKUs out of stock", page)  # the cached figure
    assert re.search(r'<th>All channels</th><th><a href="[^"]+">2</a></th>', page)  # live


@pytest.mark.parametrize(("day", "reads"), [(7, 1), (9, 2)])  # 7 Dec 2026 is a Monday
def test_on_mondays_the_week_is_today_and_its_orders_are_read_once(day, reads, data):
    from datetime import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from inventory_app.admin.dashboard import _periods

    now = timezone.make_aware(datetime(2026, 12, day, 15, 0))
    Order.objects.update(placed_at=now)

    with CaptureQueriesContext(connection) as queries:
        periods = _periods(now)

    assert [(p["label"], p["orders"], p["units"]) for p in periods] == [("Today", 1, 3), ("This week", 1, 3)]
    assert len(queries) == 3 * reads  # orders, units and channels per distinct period
