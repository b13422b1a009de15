"""Small things staff noticed: rules named by codes, a sole location preselected, empty drafts explained."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory_app.models import PurchaseOrder
from inventory_app.services.reorder import reorder_rule_set
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_reorder_rules_are_named_by_sku_and_location_codes():
    rule = reorder_rule_set(
        sku=SKUFactory(code="TEE"), location=LocationFactory(code="WH1"), reorder_point=5, reorder_quantity=10
    )

    assert str(rule) == "TEE at WH1: below 5 order 10"


def test_a_sole_location_is_preselected_in_admin_forms(admin_client_for):
    only = LocationFactory(code="ONLY")
    sku = SKUFactory(code="TEE")
    client = admin_client_for(None)

    rule_form = client.get("/admin/inventory_app/reorderrule/add/").content.decode()
    stock_form = client.get(reverse("admin:inventory_app_sku_stock", args=[sku.pk])).content.decode()

    assert f'<option value="{only.pk}" selected>ONLY</option>' in rule_form
    assert f'<option value="{only.pk}" selected>ONLY</option>' in stock_form


def test_with_two_locations_nothing_is_preselected(admin_client_for):
    LocationFactory(code="WH1")
    LocationFactory(code="WH2")

    rule_form = admin_client_for(None).get("/admin/inventory_app/reorderrule/add/").content.decode()

    assert "selected>WH" not in rule_form


def test_drafting_from_suggestions_without_a_supplier_says_why_nothing_was_made(admin_client_for):
    reorder_rule_set(
        sku=SKUFactory(code="MUG"), location=LocationFactory(code="WH1"), reorder_point=5, reorder_quantity=10
    )
    client = admin_client_for(None)

    response = client.post(reverse("admin:inventory_app_reorderrule_needs"), follow=True)
    texts = [str(m) for m in response.context["messages"]]

    assert texts[0] == "0 draft purchase order(s) created."
    assert texts[1].startswith("Left out, no supplier: MUG. Add a supplier item")
    assert not PurchaseOrder.objects.exists()
