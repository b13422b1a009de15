"""The fake channels of the rush (in-process servers on 127.0.0.1) behind one small interface.

Each adapter: ``setup`` (listings on the fake + the account in our database), ``shows`` (the
quantity a buyer sees), ``buy`` (a buyer's order, only if the channel shows the units), the
webhook/poll path that brings the order to us, fault injection and request counters.
"""

from __future__ import annotations

import heapq
import random
import threading
import time
from dataclasses import dataclass, field

from bench.rush.catalog import Item


@dataclass
class Sale:
    """One order a channel accepted: the fake's order id, when, what."""

    channel: str
    order_id: str
    at: float
    item: Item
    qty: int


@dataclass
class WebhookFaults:
    """Rates (shares of deliveries) of the webhook faults the driver applies itself."""

    duplicate: float = 0.0
    delay: float = 0.0
    delay_max_s: float = 3.0
    reorder: float = 0.0


class Deliverer:
    """Posts webhook deliveries to our gunicorn from a time-ordered queue (delays, duplicates)."""

    def __init__(self, *, rng: random.Random, threads: int = 4) -> None:
        self.rng = rng
        self.queue: list = []
        self.cond = threading.Condition()
        self.stopped = False
        self.posted = 0
        self.failed = 0
        self._seq = 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        for thread in self.threads:
            thread.start()

    def put(self, at: float, url: str, body: bytes, headers: dict, attempts: int = 8) -> None:
        with self.cond:
            self._seq += 1
            heapq.heappush(self.queue, (at, self._seq, url, body, headers, attempts))
            self.cond.notify()

    def idle(self) -> bool:
        with self.cond:
            return not self.queue

    def _run(self) -> None:
        import requests

        session = requests.Session()
        while True:
            with self.cond:
                while not self.stopped and (not self.queue or self.queue[0][0] > time.time()):
                    self.cond.wait(0.02 if self.queue else 0.2)
                if self.stopped:
                    return
                _, _, url, body, headers, attempts = heapq.heappop(self.queue)
            try:
                ok = session.post(url, data=body, headers=headers, timeout=10).status_code < 300
            except requests.RequestException:
                ok = False
            with self.cond:
                self.posted += 1
            if not ok:  # like a vendor: retried later with backoff (bounded)
                with self.cond:
                    self.failed += 1
                if attempts > 1:
                    self.put(time.time() + 2 ** (8 - attempts), url, body, headers, attempts - 1)

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()


@dataclass
class ChannelBase:
    """What the rush needs of a channel."""

    name: str
    sales: list[Sale] = field(default_factory=list)
    walked_away: int = 0
    withheld: int = 0  # units buyers could not buy here although the true stock could serve them
    account: object = None
    injected: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, what: str, count: int = 1) -> None:
        with self.lock:
            self.injected[what] = self.injected.get(what, 0) + count

    def vendor_faults_lapse(self) -> None:
        """Drop the injected vendor faults no call took within their second (counted as
        ``vendor_lapsed``): a host's 429 or 503 answers the calls of that moment, not the next
        call whenever it comes."""
        dropped = self._vendor_faults_drop()
        if dropped:
            self.inject("vendor_lapsed", dropped)

    def _vendor_faults_drop(self) -> int:
        return 0

    def pushes_timeline(self, *, start: float, step: float) -> list[int] | None:
        """Quantity-push calls the channel received in each ``step`` seconds from ``start``
        (None: the fake does not log when calls came)."""
        return None
