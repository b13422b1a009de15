"""The adaptive buffer's model: oversell risk of a published quantity, and the largest quantity
within the seller's risk (checked against a brute-force sum over both channels' demand)."""

from __future__ import annotations

import math

import pytest

from channels_app.push.risk import BufferInputs, buffer_decide, oversell_risk


def _pmf(mean: float, k: int) -> float:
    return math.exp(-mean) * mean**k / math.factorial(k)


def _brute(quantity: int, available: int, here: float, elsewhere: float, upto: int = 80) -> float:
    """P(min(N_c, q) > max(available - N_o, 0)) by summing the joint distribution."""
    return sum(
        _pmf(here, c) * _pmf(elsewhere, o)
        for c in range(upto)
        for o in range(upto)
        if min(c, quantity) > max(available - o, 0)
    )


@pytest.mark.parametrize(
    ("quantity", "available", "here", "elsewhere"),
    [
        (1, 1, 1.0, 1.0),
        (2, 2, 1.2, 2.4),
        (5, 8, 1.2, 2.4),
        (3, 10, 4.0, 6.0),
        (7, 7, 0.5, 9.0),
        (4, 0, 1.0, 0.0),
    ],
)
def test_the_risk_is_the_joint_probability_that_this_channel_sells_units_no_longer_there(
    quantity, available, here, elsewhere
):
    risk = oversell_risk(quantity=quantity, available=available, channel_mean=here, others_mean=elsewhere)

    assert risk == pytest.approx(_brute(quantity, available, here, elsewhere), abs=1e-12)


def test_one_unit_shown_on_two_channels_each_selling_one_in_the_window():
    risk = oversell_risk(quantity=1, available=1, channel_mean=1.0, others_mean=1.0)

    assert risk == pytest.approx((1 - math.exp(-1)) ** 2, abs=1e-12)


def test_nothing_sold_elsewhere_means_showing_everything_never_oversells_here():
    assert oversell_risk(quantity=6, available=6, channel_mean=50.0, others_mean=0.0) == 0.0


def _decide(**overrides) -> object:
    values = {"available": 8, "rules_quantity": 8, "stale_seconds": 120.0, "channel_per_hour": 36.0,
              "others_per_hour": 72.0, "max_risk": 0.01}  # fmt: skip
    return buffer_decide(inputs=BufferInputs(**{**values, **overrides}))


def test_a_hot_item_on_a_lagging_channel_publishes_the_largest_quantity_within_the_risk():
    decision = _decide()

    assert (decision.quantity, decision.buffer) == (3, 5)
    assert decision.risk <= 0.01 < oversell_risk(quantity=4, available=8, channel_mean=1.2, others_mean=2.4)


def test_the_same_item_on_a_channel_that_confirms_within_a_second_gets_no_buffer():
    decision = _decide(stale_seconds=1.0)

    assert (decision.quantity, decision.buffer) == (8, 0)


def test_the_buffer_never_publishes_more_than_the_rules():
    decision = _decide(rules_quantity=3, stale_seconds=1.0)

    assert (decision.quantity, decision.buffer) == (3, 0)


def test_a_higher_accepted_risk_holds_back_less():
    strict, relaxed = _decide(max_risk=0.001), _decide(max_risk=0.2)

    assert (strict.quantity, relaxed.quantity) == (0, 8)
