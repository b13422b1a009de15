"""Idempotency keys: body fingerprints, per-field hashes and what differs between two bodies."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory_app.errors import IdempotencyKeyReused
from inventory_app.models import IdempotencyFingerprint
from inventory_app.services.idempotency import (
    idempotency_key_claim,
    idempotency_response_store,
    request_differences,
    request_field_hashes,
    request_fingerprint,
)

pytestmark = pytest.mark.django_db


def test_field_hashes_name_every_leaf_by_path_and_hide_values():
    hashes = request_field_hashes(data={"ref": "A-1", "lines": [{"sku": "CUP", "quantity": 2}], "tags": []})

    assert sorted(hashes) == ["lines[0].quantity", "lines[0].sku", "ref", "tags"]
    assert all(len(h) == 16 and "A-1" not in h for h in hashes.values())


def test_differences_list_changed_added_and_removed_paths():
    first = request_field_hashes(data={"ref": "A", "lines": [{"quantity": 2}], "note": "x"})
    sent = request_field_hashes(data={"ref": "A", "lines": [{"quantity": 3}, {"quantity": 1}]})

    differences = request_differences(first=first, sent=sent)

    assert [d["path"] for d in differences] == ["lines[0].quantity", "lines[1].quantity", "note"]
    assert differences[1]["first"] is None and differences[2]["sent"] is None


def test_uploaded_files_count_by_content():
    a = request_fingerprint(data={"file": SimpleUploadedFile("c.csv", b"sku\nA\n")})
    b = request_fingerprint(data={"file": SimpleUploadedFile("c.csv", b"sku\nB\n")})

    assert a != b


def test_a_claimed_key_keeps_its_answer_and_refuses_another_body():
    record = idempotency_key_claim(key="k", data={"name": "Mug"})
    idempotency_response_store(record=record, status=201, body={"id": 7})

    again = idempotency_key_claim(key="k", data={"name": "Mug"})
    with pytest.raises(IdempotencyKeyReused) as refused:
        idempotency_key_claim(key="k", data={"name": "Bowl"})

    assert (again.pk, again.response_status, again.response_body) == (record.pk, 201, {"id": 7})
    assert [d["path"] for d in refused.value.differences] == ["name"]
    assert IdempotencyFingerprint.objects.count() == 1
