"""A sync worker process on a simulated clock, driven line by line from a test.

``python -m tests.channels_app.connectors.shopify.sync_worker ACCOUNT_ID`` reads JSON lines
``{"now": epoch seconds}`` on stdin; for each it sets the token clock to that time (the fake shop's
clock is set by the test to the same value), runs one sync of the account through the engine's
services (order poll + listing import, with the account's connector and the shared token store)
and answers one JSON line ``{"pid", "ok", "error"}``. EOF ends it.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from channels_app.intake.polling import account_orders_sync
    from channels_app.models import ChannelAccount
    from channels_app.services.onboarding import account_listings_import
    from channels_app.services.tokens import token_clock_set

    account_id = int(sys.argv[1])
    print(json.dumps({"pid": os.getpid(), "ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        now = float(command["now"])
        token_clock_set(lambda now=now: now)
        answer = {"pid": os.getpid(), "ok": True, "error": ""}
        try:
            account_orders_sync(account_id=account_id, claimer=f"worker-{os.getpid()}")
            account_listings_import(account=ChannelAccount.objects.get(pk=account_id))
        except Exception as exc:  # the test shows it
            answer.update(ok=False, error=f"{type(exc).__name__}: {exc}")
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
