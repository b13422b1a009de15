"""A quota-bound channel fed by an ideal ranked push, for the lag model (``--amazon-rate``).

The channel takes ``rate`` patches a second (Amazon's patchListingsItem: 5 a second by its usage
plan, less the engine's 10 % pacing margin, less the rush's injected 429s). At each of its ticks
the push sets the one listing most at risk to the engine's figure of that moment: first a listing
that shows more than the engine knows is left, the lowest true figure first (a zero before a one),
then the widest gap; then one that shows less than it could. The engine knows every sale the
moment it is heard and a patch lands ``land`` seconds after its tick (0: at once, the best a push
bound by that quota can do); the channel's own sales between the tick and the landing are
overwritten by the patch's figure, as with Amazon's absolute quantities.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

from bench.rush.catalog import Catalog, Item


class RankedPatches:
    """What a quota-bound channel shows under an ideal ranked push (see the module)."""

    def __init__(
        self, *, catalog: Catalog, rate: float, land: float = 0.0, channel: str = "amazon", start: float = 0.0
    ) -> None:
        self.channel = channel
        self.land = land
        self.landing: list[tuple[float, str, int, float]] = []  # (lands at, item, figure, tick)
        self.sent: dict[str, tuple[float, float]] = {}  # item -> (figure, tick) of its latest patch
        self.step = 1.0 / rate
        self.next_tick = start
        self.by_code = {item.code: item for item in catalog.items}
        self.items_of: dict[str, list[str]] = defaultdict(list)
        for item in catalog.items:
            for code, _ in item.components:
                self.items_of[code].append(item.code)
        self.heard = dict(catalog.stock)  # component stock the engine knows is left
        self.patched = {item.code: (catalog.ats(item, catalog.stock), -math.inf) for item in catalog.items}
        self.own: dict[str, list[tuple[float, int]]] = defaultdict(list)  # item -> this channel's sales
        self.pending: list[tuple[float, str, int]] = []  # (heard at, component, units)
        self.dirty: set[str] = set()
        self.patches = 0

    def sale(self, *, item: Item, qty: int, channel: str, at: float, heard_at: float) -> None:
        """An accepted sale, heard by the engine at ``heard_at``."""
        for code, per in item.components:
            heapq.heappush(self.pending, (heard_at, code, qty * per))
        if channel == self.channel:
            self.own[item.code].append((at, qty))

    def shows(self, item: Item) -> int:
        """The channel's figure now: the last patch less the channel's own sales since."""
        value, when = self.patched[item.code]
        return max(0, value - sum(qty for at, qty in self.own[item.code] if at > when))

    def advance(self, *, to: float) -> None:
        """Run the ticks up to ``to``."""
        while self.next_tick <= to:
            tick = self.next_tick
            self.next_tick += self.step
            self._hear(until=tick)
            self._patch(at=tick)
            self._landed(until=tick)
        self._hear(until=to)
        self._landed(until=to)

    def _landed(self, *, until: float) -> None:
        while self.landing and self.landing[0][0] <= until:
            at, code, figure, tick = heapq.heappop(self.landing)
            self.patched[code] = (figure, at)
            if self.sent[code][1] == tick:
                # The channel's own sales between sending and landing were overwritten; the
                # engine hears the patch's answer and looks at the listing again.
                self.sent[code] = (figure, at)
                self.dirty.add(code)

    def _believed(self, item: Item) -> int:
        """What the engine believes the channel shows: its latest patch, landed or not, less the
        channel's own sales since it was sent."""
        value, when = self.sent.get(item.code, self.patched[item.code])
        return max(0, value - sum(qty for at, qty in self.own[item.code] if at > when))

    def _wanted(self, item: Item) -> int:
        return max(0, min(max(0, self.heard[code]) // per for code, per in item.components))

    def _hear(self, *, until: float) -> None:
        while self.pending and self.pending[0][0] <= until:
            _, code, units = heapq.heappop(self.pending)
            self.heard[code] -= units
            self.dirty.update(self.items_of[code])

    def _patch(self, *, at: float) -> None:
        best = None
        for code in list(self.dirty):
            item = self.by_code[code]
            wanted = self._wanted(item)
            shown = self._believed(item)
            if shown == wanted:
                self.dirty.discard(code)
                continue
            key = (0, wanted, wanted - shown, code) if shown > wanted else (1, shown - wanted, 0, code)
            if best is None or key < best[0]:
                best = (key, code, wanted)
        if best is not None:
            _, code, wanted = best
            heapq.heappush(self.landing, (at + self.land, code, wanted, at))
            self.sent[code] = (wanted, at)
            self.dirty.discard(code)
            self.patches += 1
