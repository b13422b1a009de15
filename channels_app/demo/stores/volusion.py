"""The fake Volusion store as a demo store (orders reach us by poll: Volusion has no webhooks)."""

from __future__ import annotations

from channels_app.demo.stores.base import AccountSpec, DemoStore

LOGIN = "demo-api@example.com"
ENCRYPTED_PASSWORD = "D3" * 32  # the fake's: 64 hex characters, as Volusion's


def _start(*, host: str, port: int):
    from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
    from config.sandbox.volusion import FakeVolusion, VolusionState

    state = VolusionState(login=LOGIN, encrypted_password=ENCRYPTED_PASSWORD, time_zone="America/Chicago")
    for item in (*DEMO_ITEMS, DEMO_KIT):
        state.product_add(item.code, 0, name=item.name)
    fake = FakeVolusion(host=host, port=port, state=state).start()
    return fake, fake.url.rstrip("/")


def _account(*, url: str) -> AccountSpec:
    return AccountSpec(
        base_url=url + "/",
        credentials={"login": LOGIN, "encrypted_password": ENCRYPTED_PASSWORD},
        options={"time_zone": "America/Chicago"},
        poll_interval_seconds=15,
    )


STORE = DemoStore(name="volusion", kind="volusion", label="Volusion store", start=_start, account=_account)
