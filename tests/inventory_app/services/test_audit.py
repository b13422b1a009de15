"""Audit history (django-auditlog): who changed what, before and after; secrets never in clear."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from channels_app.models import ChannelAccount, Listing
from channels_app.services.accounts import account_create
from channels_app.services.actions import account_update
from inventory_app.models import SKU, ApiToken
from inventory_app.services.tokens import api_token_issue
from tests.factories import SKUFactory, UserFactory

pytestmark = pytest.mark.django_db


def _history(model, pk) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return list(LogEntry.objects.filter(content_type=content_type, object_pk=str(pk)).order_by("pk"))


def test_a_sku_changed_through_the_api_records_the_token_user_before_and_after(api_client):
    sku = SKUFactory(code="TEE", name="Tee")
    manager = api_client("manager")

    response = manager.patch(f"/api/v1/skus/{sku.pk}/", {"name": "Tee shirt"}, format="json")

    assert response.status_code == 200
    *_, entry = _history(SKU, sku.pk)
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == manager.user
    assert entry.changes == {"name": ["Tee", "Tee shirt"]}
    assert entry.remote_addr == "127.0.0.1"


def test_a_sku_changed_in_the_admin_records_the_staff_user(client):
    sku = SKUFactory(code="MUG", name="Mug", barcode="")
    manager = UserFactory(role="manager")
    client.force_login(manager)

    response = client.post(
        f"/admin/inventory_app/sku/{sku.pk}/change/",
        {
            "code": "MUG",
            "name": "Big mug",
            "product": sku.product_id or "",
            "barcode": "",
            "is_active": "on",
            "backorder_policy": sku.backorder_policy,
            "default_unit_cost": str(sku.default_unit_cost),
            "weight_grams": str(sku.weight_grams),
            "attributes": "{}",
            "components-TOTAL_FORMS": "0",
            "components-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content[:3000]
    *_, entry = _history(SKU, sku.pk)
    assert (entry.actor, entry.changes["name"]) == (manager, ["Mug", "Big mug"])


def test_account_credentials_are_recorded_as_changed_but_never_stored(settings):
    account = account_create(
        kind="generic",
        name="Shop",
        base_url="https://shop.example.com/",
        credentials={"api_key": "OLD-SECRET", "webhook_secret": "w1"},
    )
    before = ChannelAccount.objects.get(pk=account.pk).credentials_encrypted

    account_update(account=account, data={"buffer": 2}, credentials={"api_key": "NEW-SECRET"})

    after = ChannelAccount.objects.get(pk=account.pk).credentials_encrypted
    created, *updates = _history(ChannelAccount, account.pk)
    changed = {name: change for entry in updates for name, change in entry.changes.items()}
    stored = str(list(LogEntry.objects.values_list("changes", "changes_text", "serialized_data")))
    for secret in ("OLD-SECRET", "NEW-SECRET", before, after, account.webhook_token):
        assert secret not in stored
    assert created.action == LogEntry.Action.CREATE
    assert created.changes["webhook_token"] == ["", "********"]
    assert changed == {"buffer": [0, 2], "credentials_encrypted": ["********", "********"]}
    assert {entry.actor for entry in updates} == {None}  # no request: the system


def test_listing_unlinked_by_an_admin_action_is_recorded_with_its_operator(client):
    sku = SKUFactory(code="TEE")
    account = account_create(
        kind="generic", name="Shop", base_url="https://shop.example.com/", credentials={"api_key": "k"}
    )
    listing = Listing.objects.create(account=account, external_id="L1", sku=sku)
    operator = UserFactory(role="operator")
    client.force_login(operator)

    client.post("/admin/channels_app/listing/", {"action": "unlink", "_selected_action": [listing.pk]})

    *_, entry = _history(Listing, listing.pk)
    assert Listing.objects.get(pk=listing.pk).sku_id is None
    assert (entry.actor, entry.changes) == (operator, {"sku": [sku.pk, None]})


def test_revoking_a_token_is_recorded_and_its_hash_is_masked(api_client):
    token, _ = api_token_issue(user=UserFactory(role="viewer"), name="erp")
    manager = api_client("manager")

    manager.post(f"/api/v1/tokens/{token.pk}/revoke/")

    created, revoked = _history(ApiToken, token.pk)
    assert created.changes["key_hash"] == ["", "********"]
    assert token.key_hash not in str(created.changes)
    assert revoked.actor == manager.user and revoked.changes["revoked_at"][0] is None


def test_the_audit_log_is_browsable_by_managers_only(client):
    sku = SKUFactory(code="TEE")
    SKU.objects.get(pk=sku.pk).save()  # nothing changed: nothing recorded
    entry = _history(SKU, sku.pk)[0]

    client.force_login(UserFactory(role="manager"))
    listed = client.get("/admin/auditlog/logentry/")
    detail = client.get(f"/admin/auditlog/logentry/{entry.pk}/change/")
    client.force_login(UserFactory(role="viewer"))
    refused = client.get("/admin/auditlog/logentry/")

    assert len(_history(SKU, sku.pk)) == 1  # the creation only
    assert listed.status_code == 200 and b"TEE" in listed.content
    assert detail.status_code == 200
    assert refused.status_code == 403
