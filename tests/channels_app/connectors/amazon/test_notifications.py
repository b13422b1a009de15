"""The SQS client (Signature Version 4, JSON 1.0 protocol) and the ORDER_CHANGE mapping, against
AWS's documented signing example, Amazon's notification schema and the fake SQS queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from channels_app.connectors.amazon.mapping import order_from_order_change
from channels_app.connectors.amazon.notifications import AwsCredentials, SqsError, sigv4_headers
from channels_app.connectors.dto import AccountConfig, OrderDTO, OrderLineDTO
from channels_app.connectors.registry import connector_build
from config.sandbox.amazon import specs as amazon_specs

US = "ATVPDKIKX0DER"


def _notification(**summary) -> dict:
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": "2026-03-02T10:15:31.920Z",
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": "A3TH9S8BH6GOGM",
                "AmazonOrderId": "902-1845936-5435065",
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {"TimeOfOrderChange": "2026-03-02T10:15:30.284Z", "ChangeReason": "x"},
                "Summary": {
                    "MarketplaceId": US,
                    "OrderStatus": "Unshipped",
                    "PurchaseDate": "2026-03-02T10:10:04.000Z",
                    "DestinationPostalCode": "98101",
                    "FulfillmentType": "MFN",
                    "OrderType": "StandardOrder",
                    "NumberOfItemsShipped": 0,
                    "NumberOfItemsUnshipped": 3,
                    "OrderItems": [
                        {"OrderItemId": "OI-1", "SellerSKU": "LINEN-1", "SupplySourceId": None,
                         "Quantity": 2},
                        {"OrderItemId": "OI-2", "SellerSKU": "TOWEL", "SupplySourceId": None, "Quantity": 1,
                         "QuantityShipped": 0},
                    ],
                    **summary,
                },
            }
        },
        "NotificationMetadata": {
            "ApplicationId": "amzn1.sellerapps.app.test",
            "SubscriptionId": "subscription-1",
            "PublishTime": "2026-03-02T10:15:32.000Z",
            "NotificationId": "7c0c6a8e-3f0b-4c1e-9a77-21f0b7a0c001",
        },
    }  # fmt: skip


def test_sigv4_reproduces_the_signature_of_awss_documented_example_request():
    headers = sigv4_headers(
        credentials=AwsCredentials(
            access_key_id="AKIDEXAMPLE",
            secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            region="us-east-1",
        ),
        service="iam",
        method="POST",
        url="http://iam.amazonaws.com/",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        body=b"Action=ListUsers&Version=2010-05-08",
        now=datetime(2011, 9, 9, 23, 36, tzinfo=UTC),
    )

    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=ced6826de92d2bdeed8f846f0bf508e8559e98e4b0199114b84c54174deb456c"
    )
    assert (headers["Host"], headers["X-Amz-Date"]) == ("iam.amazonaws.com", "20110909T233600Z")


def test_an_order_change_with_its_items_is_a_snapshot_versioned_as_the_poll_versions_it():
    order = order_from_order_change(_notification())

    assert order == OrderDTO(
        external_id="902-1845936-5435065",
        status="open",
        # TimeOfOrderChange to the second + Unshipped's rank (2) x 10,000 microseconds + 0 shipped,
        # what order_version makes of getOrders' LastUpdateDate "2026-03-02T10:15:30Z".
        updated_at=datetime(2026, 3, 2, 10, 15, 30, 20_000, tzinfo=UTC),
        created_at=datetime(2026, 3, 2, 10, 10, 4, tzinfo=UTC),
        lines=[
            OrderLineDTO(
                external_line_id="OI-1", quantity=2, sku_code="LINEN-1", listing_external_id="LINEN-1"
            ),
            OrderLineDTO(external_line_id="OI-2", quantity=1, sku_code="TOWEL", listing_external_id="TOWEL"),
        ],
        is_paid=True,
        currency="USD",
        total=Decimal("0"),
    )


def test_an_order_change_without_items_or_time_of_change_needs_the_order_read():
    no_items = order_from_order_change(_notification(OrderItems=[]))
    notification = _notification(OrderStatus="Canceled", MarketplaceId="A1F83G8C2ARO7P")
    notification["Payload"]["OrderChangeNotification"]["OrderChangeTrigger"]["TimeOfOrderChange"] = None
    cancelled = order_from_order_change(notification)

    assert no_items is None
    # No TimeOfOrderChange: the EventTime, Canceled's rank 7; UK orders are in pounds.
    assert (cancelled.status, cancelled.is_paid, cancelled.updated_at, cancelled.currency) == (
        "cancelled",
        False,
        datetime(2026, 3, 2, 10, 15, 31, 70_000, tzinfo=UTC),
        "GBP",
    )


@pytest.mark.skipif(amazon_specs.specs_dir() is None, reason="../shared/specs is absent")
def test_the_notifications_the_fake_publishes_and_our_sample_are_valid_against_amazons_schema(amazon, sqs):
    import jsonschema

    path = amazon_specs.specs_dir() / "schemas" / "notifications" / "OrderChangeNotification.json"
    validator = jsonschema.Draft7Validator(json.loads(path.read_text(encoding="utf-8")))
    amazon.seed_listing("LINEN-1", 5)
    placed = amazon.place_order("LINEN-1", 2)
    amazon.advance(300)  # payment authorised: Unshipped
    amazon.cancel_order(placed.amazon_order_id)
    bodies = sqs.bodies()

    errors = [e.message for body in [*bodies, _notification()] for e in validator.iter_errors(body)]
    assert errors == []
    assert [b["Payload"]["OrderChangeNotification"]["Summary"]["OrderStatus"] for b in bodies] == [
        "Pending",
        "Unshipped",
        "Canceled",
    ]


def _connector(amazon, sqs, **credentials):
    creds, queue = amazon.credentials(), sqs.credentials()
    return connector_build(
        kind="amazon",
        config=AccountConfig(
            account_id=1,
            base_url=creds["endpoint"],
            credentials={
                **{k: creds[k] for k in ("client_id", "client_secret", "refresh_token")},
                **{k: queue[k] for k in ("aws_access_key_id", "aws_secret_access_key", "aws_region")},
                **credentials,
            },
            options={
                "seller_id": creds["seller_id"],
                "marketplace_ids": creds["marketplace_ids"],
                "lwa_url": creds["lwa_url"],
                "sqs_queue_url": queue["sqs_queue_url"],
            },
        ),
    )


def test_a_bad_signature_is_refused_by_sqs_and_surfaces_as_a_clear_error(amazon, sqs):
    amazon.seed_listing("LINEN-1", 5)
    amazon.place_order("LINEN-1", 1)
    connector = _connector(amazon, sqs, aws_secret_access_key="not-the-secret")

    with pytest.raises(SqsError) as caught:
        connector.notifications_pull(wait_seconds=0)

    assert str(caught.value) == (
        "SQS ReceiveMessage: HTTP 403 InvalidSignatureException: The request signature we calculated "
        "does not match the signature you provided. Check your AWS Secret Access Key and signing "
        "method. Consult the service documentation for details."
    )
    assert (caught.value.status, caught.value.error_type) == (
        403,
        "com.amazon.coral.service#InvalidSignatureException",
    )
    assert "not-the-secret" not in caught.value.body
    assert (len(sqs.waiting()), sqs.stats.deliveries) == (1, 0)


@pytest.mark.django_db  # the usage plans' shared buckets
def test_a_summary_without_items_is_completed_by_get_order_and_get_order_items(amazon, sqs):
    amazon.notifications_attach(sqs, with_items=False)
    amazon.seed_listing("LINEN-1", 5)
    placed = amazon.place_order("LINEN-1", 2)
    connector = _connector(amazon, sqs)

    events = connector.notifications_pull(wait_seconds=0)

    assert [(e.topic, e.error, e.order.external_id) for e in events] == [
        ("ORDER_CHANGE", "", placed.amazon_order_id)
    ]
    item = placed.items[0]
    lines = [
        (line.external_line_id, line.sku_code, line.quantity, line.title) for line in events[0].order.lines
    ]
    assert lines == [(item.order_item_id, "LINEN-1", 2, "Item LINEN-1")]
    assert (amazon.stats.requests["getOrder"], amazon.stats.requests["getOrderItems"]) == (1, 1)


def test_other_sellers_fba_orders_and_other_types_come_without_an_order(amazon, sqs):
    other = _notification()
    other["Payload"]["OrderChangeNotification"]["SellerId"] = "ANOTHERSELLER"
    fba = _notification(FulfillmentType="AFN")
    fba["Payload"]["OrderChangeNotification"]["SellerId"] = amazon.config.seller_id
    fba["NotificationMetadata"]["NotificationId"] = "fba-1"
    pricing = {"NotificationType": "ANY_OFFER_CHANGED", "NotificationMetadata": {"NotificationId": "offer-1"}}
    for body in (other, fba, pricing):
        sqs.send(json.dumps(body))

    events = _connector(amazon, sqs).notifications_pull(wait_seconds=0)

    assert [(e.event_id, e.topic, e.order, e.error) for e in events] == [
        ("sqs:7c0c6a8e-3f0b-4c1e-9a77-21f0b7a0c001", "ORDER_CHANGE", None,
         "ORDER_CHANGE of seller 'ANOTHERSELLER', not this account's"),
        ("sqs:fba-1", "ORDER_CHANGE", None, ""),
        ("sqs:offer-1", "ANY_OFFER_CHANGED", None, ""),
    ]  # fmt: skip


def test_a_message_received_but_never_deleted_comes_back_after_thirty_seconds(amazon, sqs):
    amazon.seed_listing("LINEN-1", 5)
    placed = amazon.place_order("LINEN-1", 1)
    connector = _connector(amazon, sqs)

    first = connector.notifications_pull(wait_seconds=0)  # its consumer dies before deleting
    amazon.advance(29)
    hidden = connector.notifications_pull(wait_seconds=0)
    amazon.advance(2)
    again = connector.notifications_pull(wait_seconds=0)

    assert [e.order.external_id for e in first] == [placed.amazon_order_id]
    assert hidden == []
    assert [e.event_id for e in again] == [e.event_id for e in first]
