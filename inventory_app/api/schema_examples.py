"""Examples of the main operations in the OpenAPI document (by operationId)."""

from __future__ import annotations

from typing import Any

REQUESTS: dict[str, dict[str, Any]] = {
    "orders_create": {
        "summary": "A web-shop order of two lines",
        "value": {
            "external_ref": "WEB-10042",
            "customer_name": "Ada Lovelace",
            "customer_email": "ada@example.com",
            "shipping_address": {
                "name": "Ada Lovelace",
                "address1": "12 Mill Lane",
                "city": "Leeds",
                "zip": "LS1 4AB",
                "country": "GB",
            },
            "lines": [
                {"sku": "LINEN-SHEET-DBL", "quantity": 2, "unit_price": "49.00"},
                {"sku": "PILLOW-CASE-2", "quantity": 1, "unit_price": "19.50"},
            ],
        },
    },
    "stock_receive": {
        "summary": "24 units received at the main warehouse",
        "value": {"sku": "LINEN-SHEET-DBL", "location": "MAIN", "quantity": 24, "unit_cost": "18.2500"},
    },
}
RESPONSES: dict[tuple[str, str], dict[str, Any]] = {
    ("availability_retrieve", "200"): {
        "summary": "Two SKUs found, one code unknown",
        "value": {
            "locations": None,
            "results": [
                {"sku": 17, "code": "LINEN-SHEET-DBL", "is_kit": False, "available": 22},
                {"sku": 31, "code": "BED-SET-DBL", "is_kit": True, "available": 5},
            ],
            "unknown_skus": [],
            "unknown_codes": ["NO-SUCH-CODE"],
        },
    },
    ("orders_create", "409"): {
        "summary": "Not enough stock for a line",
        "value": {
            "type": "/api/problems/insufficient_stock",
            "title": "Insufficient stock",
            "status": 409,
            "detail": "Insufficient stock: LINEN-SHEET-DBL@MAIN needs 2, has 1",
            "instance": "/api/v1/orders/",
            "code": "insufficient_stock",
            "shortfalls": [
                {
                    "sku_id": 17,
                    "sku_code": "LINEN-SHEET-DBL",
                    "location_id": 1,
                    "location_code": "MAIN",
                    "requested": 2,
                    "available": 1,
                    "missing": 1,
                },
            ],
        },
    },
    ("stock_receive", "400"): {
        "summary": "A field refused",
        "value": {
            "type": "/api/problems/validation_error",
            "title": "Invalid request",
            "status": 400,
            "detail": "quantity: Ensure this value is greater than or equal to 1.",
            "instance": "/api/v1/stock/receive/",
            "code": "validation_error",
            "errors": [
                {
                    "field": "quantity",
                    "code": "min_value",
                    "message": "Ensure this value is greater than or equal to 1.",
                }
            ],
        },
    },
}
PARAMETERS: dict[tuple[str, str], list[str]] = {
    ("availability_retrieve", "code"): ["LINEN-SHEET-DBL", "BED-SET-DBL"],
}


def operation_examples_add(operation: dict) -> None:
    """Put the examples of ``operation`` (if it is one of the main ones) into its document."""
    operation_id = operation.get("operationId", "")
    if operation_id in REQUESTS:
        for media in operation.get("requestBody", {}).get("content", {}).values():
            media["examples"] = {"example": REQUESTS[operation_id]}
    for (op, status), example in RESPONSES.items():
        if op == operation_id and status in operation.get("responses", {}):
            for media in operation["responses"][status].get("content", {}).values():
                media["examples"] = {"example": example}
    for parameter in operation.get("parameters", []):
        example = PARAMETERS.get((operation_id, parameter.get("name")))
        if example is not None:
            parameter["example"] = example
