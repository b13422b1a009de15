"""The fake Rakuten seller account: adverts, sales and their items, stock files and reports.

Everything is guarded by one lock and moves with the injectable clock (``FakeClock``): a sale
item still ``REQUESTED`` two days after the purchase becomes ``CANCELLED`` (and leaves
getnewsales); an uploaded stock file goes ``Reçu`` -> ``En attente`` -> ``Import en cours`` ->
``Traité`` as time passes, files being processed in the order received, and its quantities
reach the adverts only when it is ``Traité``.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from config.sandbox.amazon.clock import FakeClock

NEW_SALE_WINDOW = timedelta(days=2)
HOUR = timedelta(hours=1)
# Seconds after the upload at which a file enters each state (the last: processed).
FILE_STAGES = (("Reçu", 0.0), ("En attente", 5.0), ("Import en cours", 10.0), ("Traité", 20.0))
NO_LINE = "Aucune ligne n'a été chargée"


@dataclass
class Advert:
    """One listing of the seller: addressed by ``reference`` (sellerReference) or ``aid``."""

    reference: str
    aid: str
    quantity: int
    headline: str = ""
    price: Decimal = Decimal("19.90")


@dataclass
class Item:
    """One unit sold: answered (accepted/refused) once, per ``itemid``."""

    item_id: str
    reference: str
    aid: str
    headline: str
    price: Decimal
    status: str = "REQUESTED"
    answers: int = 0  # acceptsale/refusesale calls that changed it (never more than 1)
    tracking: dict = field(default_factory=dict)


@dataclass
class Sale:
    purchase_id: str
    purchased_at: datetime
    items: list[Item]
    buyer: str = "Jean Dupont"


@dataclass
class ImportFile:
    import_id: str
    filename: str
    uploaded_at: datetime
    lines: list[tuple[str, int]]
    valid: bool = True
    applied: bool = False
    outcomes: dict[str, tuple[bool, str]] = field(default_factory=dict)


class RakutenState:
    """The seller account behind the fake (see the module docstring)."""

    def __init__(
        self,
        *,
        clock: FakeClock | None = None,
        login: str = "vendeur-pro",
        token: str = "token-0123456789abcdef",
        professional: bool = True,
        files_per_hour: int = 10,
        file_stages: tuple[tuple[str, float], ...] = FILE_STAGES,
    ) -> None:
        self.clock = clock or FakeClock()
        self.login = login
        self.token = token
        self.professional = professional
        self.files_per_hour = files_per_hour
        self.file_stages = file_stages  # (state, seconds after the upload); the last: processed
        self.lock = threading.RLock()
        self.adverts: dict[str, Advert] = {}
        self.sales: dict[str, Sale] = {}
        self.files: dict[str, ImportFile] = {}
        self.upload_times: deque[datetime] = deque()
        self.files_refused = 0
        self.purge_requested = False  # a purgeandreplace upload was attempted (never allowed)
        self.shipping_files: list[list[dict[str, str]]] = []
        self._ids = itertools.count(1)

    def _id(self, base: int) -> str:
        return str(base + next(self._ids))

    # Seeding and buyers -----------------------------------------------------------------------

    def seed_advert(self, reference: str, quantity: int, *, headline: str = "") -> Advert:
        with self.lock:
            advert = Advert(reference, self._id(400_000_000), quantity, headline or reference)
            self.adverts[reference] = advert
            return advert

    def buy(self, reference: str, quantity: int = 1) -> Sale | None:
        """A buyer orders ``quantity`` units: the advert's stock is deducted and a sale with one
        ``REQUESTED`` item per unit awaits acceptance. None when the advert shows too few."""
        with self.lock:
            self.tick()
            advert = self.adverts.get(reference)
            if advert is None or quantity < 1 or advert.quantity < quantity:
                return None
            advert.quantity -= quantity
            items = [
                Item(self._id(555_000_000), reference, advert.aid, advert.headline, advert.price)
                for _ in range(quantity)
            ]
            sale = Sale(self._id(312_000_000), self.clock.now(), items)
            self.sales[sale.purchase_id] = sale
            return sale

    def quantities(self) -> dict[str, int]:
        with self.lock:
            self.tick()
            return {ref: advert.quantity for ref, advert in self.adverts.items()}

    def item(self, item_id: str) -> tuple[Sale, Item] | None:
        for sale in self.sales.values():
            for item in sale.items:
                if item.item_id == item_id:
                    return sale, item
        return None

    # Time -------------------------------------------------------------------------------------

    def tick(self) -> None:
        """Apply what the clock's time means: expired sales, processed files."""
        now = self.clock.now()
        for sale in self.sales.values():
            if now - sale.purchased_at >= NEW_SALE_WINDOW:
                for item in sale.items:
                    if item.status == "REQUESTED":
                        item.status = "CANCELLED"
                        advert = self.adverts.get(item.reference)
                        if advert is not None:
                            advert.quantity += 1
        for file in sorted(self.files.values(), key=lambda f: (f.uploaded_at, int(f.import_id))):
            if not file.applied and self.file_status(file) == "Traité":
                self._apply(file)

    def file_status(self, file: ImportFile) -> str:
        elapsed = (self.clock.now() - file.uploaded_at).total_seconds()
        status = self.file_stages[0][0]
        for name, after in self.file_stages:
            if elapsed >= after:
                status = name
        if status == "Traité" and not file.valid:
            return NO_LINE
        return status

    def _apply(self, file: ImportFile) -> None:
        file.applied = True
        if not file.valid:
            return
        for reference, quantity in file.lines:
            advert = self.adverts.get(reference)
            if advert is None:
                file.outcomes[reference] = (False, "Annonce inconnue")
            elif quantity < 0:
                file.outcomes[reference] = (False, "Quantité invalide")
            else:
                advert.quantity = quantity
                file.outcomes[reference] = (True, "")

    # Stock files ------------------------------------------------------------------------------

    def upload_allowed(self) -> bool:
        """True when fewer than ``files_per_hour`` files came in the last hour (then counts it)."""
        now = self.clock.now()
        while self.upload_times and now - self.upload_times[0] >= HOUR:
            self.upload_times.popleft()
        if len(self.upload_times) >= self.files_per_hour:
            self.files_refused += 1
            return False
        self.upload_times.append(now)
        return True

    def file_add(self, *, filename: str, lines: list[tuple[str, int]], valid: bool) -> ImportFile:
        file = ImportFile(self._id(900_000_000), filename, self.clock.now(), lines, valid)
        self.files[file.import_id] = file
        return file

    def uploads_within(self, start: datetime, end: datetime) -> int:
        return sum(1 for f in self.files.values() if start <= f.uploaded_at < end)
