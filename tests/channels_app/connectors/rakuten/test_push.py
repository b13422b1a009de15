"""Quantity pushes: one file per window, the most urgent first, a zero ahead of the window when
the hour has room and in the first free slot otherwise, never more than 10 files in any hour,
each listing marked from its file's import report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels_app.connectors.dto import ListingRef, QuantityUpdate
from channels_app.models import RakutenImportFile

from .conftest import connector_of

pytestmark = pytest.mark.django_db


def _update(sku: str, quantity: int, expected: int | None = 5, submission: str = "") -> QuantityUpdate:
    return QuantityUpdate(
        listing=ListingRef(external_id=sku, push_submission=submission),
        quantity=quantity,
        expected=expected,
        idempotency_key=f"{sku}-{quantity}",
    )


def _pusher(rakuten, connect, **options):
    connector = connector_of(connect(rakuten, **options))
    connector.pusher.now = rakuten.state.clock.now  # the window follows the fake's clock
    return connector


def _outcomes(results):
    return {
        r.external_id: (r.outcome, r.submission_id.split(":")[-1] if r.submission_id else "") for r in results
    }


def test_a_change_goes_out_as_one_file_and_is_marked_from_the_report(rakuten, connect):
    rakuten.state.seed_advert("A", 5)
    rakuten.state.seed_advert("B", 5)
    connector = _pusher(rakuten, connect)

    sent = connector.quantities_push(updates=[_update("A", 3), _update("B", 7), _update("GHOST", 1)])

    assert {r.external_id: r.outcome for r in sent} == {"A": "pending", "B": "pending", "GHOST": "pending"}
    token = {r.external_id: r.submission_id for r in sent}
    (file,) = rakuten.state.files.values()
    assert file.lines == [("GHOST", 1), ("A", 3), ("B", 7)]  # largest drops first, then increases
    assert token["A"] == f"{file.import_id}:3"

    waiting = connector.quantities_push(updates=[_update("A", 3, submission=token["A"])])
    assert [(r.outcome, r.submission_id) for r in waiting] == [("pending", token["A"])]  # "Reçu"
    assert rakuten.state.adverts["A"].quantity == 5

    rakuten.advance(20)  # Traité
    done = connector.quantities_push(
        updates=[_update(sku, q, submission=token[sku]) for sku, q in (("A", 3), ("B", 7), ("GHOST", 1))]
    )

    assert {r.external_id: (r.outcome, r.error) for r in done} == {
        "A": ("ok", ""),
        "B": ("ok", ""),
        "GHOST": ("error", f"Rakuten file {file.import_id}: Annonce inconnue"),
    }
    assert rakuten.state.quantities() == {"A": 3, "B": 7}
    assert RakutenImportFile.objects.get().status == "done"
    assert rakuten.calls["genericimportfile"] == 1


def test_changes_within_the_window_wait_for_the_next_file(rakuten, connect):
    connector = _pusher(rakuten, connect, file_window_seconds=360)
    connector.quantities_push(updates=[_update("A", 4)])

    rakuten.advance(60)
    held = connector.quantities_push(updates=[_update("B", 6)])

    assert [(r.outcome, r.retry_after) for r in held] == [("deferred", 300.0)]
    rakuten.advance(300)
    sent = connector.quantities_push(updates=[_update("B", 6), _update("C", 2)])
    assert {r.outcome for r in sent} == {"pending"}
    assert rakuten.calls["genericimportfile"] == 2


def test_a_drop_to_zero_does_not_wait_for_the_window_when_the_hour_has_room(rakuten, connect):
    connector = _pusher(rakuten, connect, file_window_seconds=360)
    connector.quantities_push(updates=[_update("A", 4)])

    rakuten.advance(30)
    sent = connector.quantities_push(updates=[_update("B", 0), _update("C", 9)])

    assert {r.external_id: r.outcome for r in sent} == {"B": "pending", "C": "pending"}
    assert [f.lines for f in rakuten.state.files.values()][-1] == [("B", 0), ("C", 9)]
    assert RakutenImportFile.objects.filter(urgent=True).count() == 1


def test_the_most_urgent_go_first_when_a_file_is_full(rakuten, connect):
    connector = _pusher(rakuten, connect, file_max_items=2)

    sent = connector.quantities_push(
        updates=[_update("UP", 9, expected=5), _update("DOWN", 2, expected=9), _update("ZERO", 0, expected=1)]
    )

    assert {r.external_id: r.outcome for r in sent} == {
        "ZERO": "pending",
        "DOWN": "pending",
        "UP": "deferred",
    }
    (file,) = rakuten.state.files.values()
    assert file.lines == [("ZERO", 0), ("DOWN", 2)]


def _max_files_in_any_hour(times) -> int:
    times = sorted(times)
    return max(
        (sum(1 for t in times if start <= t < start + timedelta(hours=1)) for start in times), default=0
    )


def test_a_busy_hour_never_sends_more_than_ten_files(rakuten, connect):
    """A zero every 30 s for two hours: the hour's budget, not the urgency, bounds the files."""
    connector = _pusher(rakuten, connect, file_window_seconds=0)
    deferred = 0
    for step in range(240):
        results = connector.quantities_push(updates=[_update(f"SKU-{step}", 0, expected=3)])
        deferred += sum(r.outcome == "deferred" for r in results)
        rakuten.advance(30)

    uploads = [f.uploaded_at for f in rakuten.state.files.values()]
    assert _max_files_in_any_hour(uploads) == 10
    assert len(uploads) == 20  # ten per hour, two hours
    assert rakuten.state.files_refused == 0  # the fake never had to refuse one
    assert deferred == 220


def test_a_zero_goes_out_in_the_first_free_slot_of_a_full_hour(rakuten, connect):
    connector = _pusher(rakuten, connect, file_window_seconds=360)
    for n in range(10):
        connector.quantities_push(updates=[_update(f"SKU-{n}", 0)])
        rakuten.advance(60)  # ten urgent files within ten minutes: the hour is full
    start = min(f.uploaded_at for f in rakuten.state.files.values())

    rakuten.advance(600)  # twenty minutes in
    (held,) = connector.quantities_push(updates=[_update("LAST", 0)])
    assert held.outcome == "deferred"
    assert held.retry_after == pytest.approx(40 * 60, abs=1)  # when the first file leaves the hour

    rakuten.advance(held.retry_after)
    (sent,) = connector.quantities_push(updates=[_update("LAST", 0)])

    assert sent.outcome == "pending"
    newest = max(rakuten.state.files.values(), key=lambda f: f.uploaded_at)
    assert newest.lines == [("LAST", 0)]
    assert newest.uploaded_at - start == timedelta(hours=1)


def test_a_new_figure_while_a_file_is_processed_goes_in_the_next_file(rakuten, connect):
    rakuten.state.seed_advert("A", 5)
    connector = _pusher(rakuten, connect, file_window_seconds=0)
    (first,) = connector.quantities_push(updates=[_update("A", 4)])

    rakuten.advance(1)
    (second,) = connector.quantities_push(
        updates=[_update("A", 0, expected=4, submission=first.submission_id)]
    )

    assert second.outcome == "pending" and second.submission_id.endswith(":0")
    rakuten.advance(30)
    assert rakuten.state.quantities() == {"A": 0}  # files applied in the order received


def test_quota_exceeded_on_upload_is_a_throttled_retry_and_still_counts(rakuten, connect):
    connector = _pusher(rakuten, connect)
    rakuten.faults.quota = 1

    (result,) = connector.quantities_push(updates=[_update("A", 0)])

    assert (result.outcome, result.retry_after, result.throttled) == ("retry", 60.0, True)
    assert list(RakutenImportFile.objects.values_list("status", flat=True)) == ["refused"]
