"""Every admin page renders: the list, add and change page of every registered model, with data.

Generated from the admin registry: a model registered later without a row built here fails.
Superusers get every page; a viewer gets the pages its role shows (view-only) and 403 elsewhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounting_app.models import ExportDocument, ExportRun
from accounting_app.services.connections import connection_create
from channels_app.models import ChannelOrderPush, DriftRecord, InboundEvent, Listing, PushRecord
from channels_app.services.accounts import account_create
from inventory_app.models import AverageCost, LayerConsumption, SalesChannel
from inventory_app.services import purchasing
from inventory_app.services.events.delivery import webhook_endpoint_deliver
from inventory_app.services.events.endpoints import webhook_endpoint_create
from inventory_app.services.events.publish import events_publish
from inventory_app.services.imports.jobs import import_job_create
from inventory_app.services.jobs import job_finish, job_start
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.reorder import reorder_rule_set
from inventory_app.services.returns import ReturnLineInput, return_authorization_create
from inventory_app.services.stock import stock_adjust, stock_receive
from inventory_app.services.tokens import api_token_issue
from shipping_app.models import OrderExport, Shipment, ShippingWebhookEvent
from shipping_app.services.accounts import shipping_account_create
from tests.factories import LocationFactory, ProductFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(model._meta.label_lower for model in admin.site._registry)


def _every_model() -> None:
    """At least one row of every model the admin shows, made through the services."""
    endpoint, _ = webhook_endpoint_create(
        url="https://127.0.0.1:9/hook", event_types=["availability.changed"]
    )
    location, sku = LocationFactory(code="WH1"), SKUFactory(code="TEE", product=ProductFactory())
    stock_receive(sku=sku, location=location, quantity=10, unit_cost=Decimal("4"))
    stock_adjust(sku=sku, location=location, delta=-1, reason_detail="damaged")  # a layer consumption
    AverageCost.objects.create(sku=sku, location=location)
    channel = SalesChannel.objects.get(code="manual")
    order, _ = order_create(
        channel=channel, data=OrderInput(external_ref="A-1", lines=[OrderLineInput("TEE", 2)])
    )
    order_ship(order=order, quantities=None, reference="ship-1")
    line = order.lines.get()
    return_authorization_create(order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=1)])
    supplier = purchasing.supplier_create(code="ACME", name="Acme")
    purchasing.supplier_item_set(supplier=supplier, sku=sku, unit_price=Decimal("3"))
    po = purchasing.purchase_order_create(
        supplier=supplier,
        lines=[purchasing.PurchaseLineInput(sku_id=sku.pk, quantity=5, unit_cost=Decimal("3"))],
        location=location,
    )
    purchasing.landed_cost_add(
        purchase_order=po, charge=purchasing.ChargeInput(kind="freight", amount=Decimal("5"))
    )
    purchasing.purchase_order_send(purchase_order=po)
    purchasing.purchase_order_receive(purchase_order=po, location=location, quantities={po.lines.get().pk: 5})
    reorder_rule_set(sku=sku, location=location, reorder_point=2, reorder_quantity=10)
    api_token_issue(user=UserFactory(username="integrator"), name="erp")
    import_job_create(content="sku,name\nTEE,Tee\n", dry_run=True, user=None, filename="catalog.csv")
    done = job_start(kind="channels.listings_import", label="Listings import: Shop")
    job_finish(
        job_id=done.pk,
        summary="Imported 1 listing(s).",
        result={"imported": 1},
        links=[("Listings", "/admin/")],
    )
    events_publish()  # events of the changes above; the endpoint's delivery is refused (loopback), logged
    webhook_endpoint_deliver(endpoint_id=endpoint.pk)

    account = account_create(
        kind="generic",
        name="Shop",
        base_url="https://shop.example.com/api/",
        credentials={"api_key": "k", "webhook_secret": "w"},
    )
    listing = Listing.objects.create(account=account, external_id="L1", external_sku="TEE", sku=sku)
    InboundEvent.objects.create(account=account, event_id="E1", source="webhook", topic="orders/create")
    PushRecord.objects.create(account=account, listing=listing, quantity=7, outcome="ok")
    DriftRecord.objects.create(account=account, listing=listing, expected_qty=7, seen_qty=5)

    shipping = shipping_account_create(
        provider="shippo",
        name="Labels",
        base_url="https://api.goshippo.com/",
        credentials={"api_token": "t"},
    )
    OrderExport.objects.create(account=shipping, order=order, order_key="A-1")
    ShippingWebhookEvent.objects.create(account=shipping, event_key="H1", topic="track_updated")
    Shipment.objects.create(account=shipping, order=order, carrier="usps", tracking_number="9400")
    ChannelOrderPush.objects.create(order=order, kind="fulfilment", shipment=order.shipments.get())

    connection = connection_create(
        kind="xero", name="Books", client_id="id", client_secret="s", export_from=date(2026, 1, 1)
    )
    run = ExportRun.objects.create(
        connection=connection, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)
    )
    ExportDocument.objects.create(
        connection=connection,
        run=run,
        kind="sales_invoice",
        source_key="order:1",
        reference="A-1",
        document_date=date(2026, 1, 2),
    )

    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="tick", task="celery.backend_cleanup", interval=every)
    CrontabSchedule.objects.create()
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("50"), longitude=Decimal("8"))
    ClockedSchedule.objects.create(clocked_time=timezone.now() + timedelta(days=1))
    Group.objects.get_or_create(name="viewer")
    # A failed login, and the lockout's logs (django-axes).
    Client(REMOTE_ADDR="198.51.100.1").post("/admin/login/", {"username": "x", "password": "wrong"})
    seen = {"user_agent": "curl", "http_accept": "*/*", "path_info": "/admin/login/", "username": "x"}
    AccessLog.objects.create(ip_address="198.51.100.1", **seen)
    AccessFailureLog.objects.create(ip_address="198.51.100.1", **seen)
    assert LayerConsumption.objects.exists()


@pytest.fixture
def every_model():
    _every_model()


def _url(model, page: str, *args) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/" + {
        "changelist": "",
        "add": "add/",
        "change": "{}/change/",
    }[page].format(*args)


@pytest.mark.parametrize("label", MODELS)
def test_every_admin_page_renders_with_data(client, every_model, label):
    model, model_admin = next((m, a) for m, a in admin.site._registry.items() if m._meta.label_lower == label)
    superuser = UserFactory(username="root", is_superuser=True)
    obj = model_admin.get_queryset(_request(superuser)).order_by("pk").first()
    assert obj is not None, f"no {label} row: build one in _every_model"

    for user in (superuser, UserFactory(role="viewer")):
        client.force_login(user)
        changelist = client.get(_url(model, "changelist"))
        change = client.get(_url(model, "change", obj.pk))
        add = client.get(_url(model, "add"))

        request = _request(user)
        can_view = model_admin.has_view_or_change_permission(request)
        assert can_view or not user.is_superuser
        assert changelist.status_code == (200 if can_view else 403), changelist.content[:3000]
        assert change.status_code == (200 if can_view else 403), change.content[:3000]
        assert add.status_code == (200 if model_admin.has_add_permission(request) else 403), add.content[
            :3000
        ]
        if can_view and "cl" in changelist.context:  # the cost report is a page of its own
            assert changelist.context["cl"].result_count >= 1


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request
