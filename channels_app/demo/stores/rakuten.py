"""Rakuten France's fake web services as a demo store (sales polled and accepted, stock files).

The fake's clock follows real time and processes a stock file in a few seconds; the account's
file window is 30 s (not Rakuten's 6 min) so the demo moves, within the 10 files an hour.
"""

from __future__ import annotations

from channels_app.demo.stores.base import AccountSpec, DemoStore

LOGIN = "demo-vendeur-pro"
TOKEN = "demo-rakuten-token"  # noqa: S105 - the fake's
STAGES = (("Reçu", 0.0), ("En attente", 1.0), ("Import en cours", 2.0), ("Traité", 4.0))


def _start(*, host: str, port: int):
    from datetime import UTC, datetime

    from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
    from config.sandbox.amazon.clock import FakeClock
    from config.sandbox.rakuten import FakeRakuten, RakutenState

    state = RakutenState(
        clock=FakeClock(datetime.now(UTC), frozen=False), login=LOGIN, token=TOKEN, file_stages=STAGES
    )
    for item in (*DEMO_ITEMS, DEMO_KIT):
        state.seed_advert(item.code, 0, headline=item.name)
    fake = FakeRakuten(state=state, host=host, port=port).start()
    return fake, fake.base_url


def _account(*, url: str) -> AccountSpec:
    return AccountSpec(
        base_url=url,
        credentials={"login": LOGIN, "token": TOKEN},
        options={"file_window_seconds": 30.0, "report_check_seconds": 5.0},
        poll_interval_seconds=15,
    )


STORE = DemoStore(name="rakuten", kind="rakuten", label="Rakuten France", start=_start, account=_account)
