"""The values exporters speak: documents to post (already mapped to the seller's accounts),
tokens, contacts and the vendor's answer. No model instances cross this boundary.

Money is ``Decimal`` to 2 places. Journal lines are signed: debit positive, credit negative, and
a journal's lines sum to exactly zero (checked by :meth:`JournalDocument.check_balanced`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ConnectionConfig:
    """What an exporter gets of its connection: ids, endpoints and the client credentials."""

    connection_id: int
    client_id: str
    client_secret: str
    tenant_id: str = ""
    api_base_url: str = ""
    auth_base_url: str = ""
    token_url: str = ""
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TokenSet:
    """An OAuth 2.0 token answer. ``refresh_token`` is the one to use next (rotation);
    ``refresh_expires_at``: when it stops working (None: the vendor does not say)."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    scope: str = ""
    refresh_expires_at: datetime | None = None


@dataclass(frozen=True)
class Tenant:
    """The organisation/company a connection posts to."""

    tenant_id: str
    name: str = ""


@dataclass(frozen=True)
class ContactRef:
    """Who a sale or bill is against: our key (``channel:3``, ``email:a@b``, ``supplier:7``)."""

    key: str
    name: str
    email: str = ""
    is_supplier: bool = False


LineRole = Literal["sales", "shipping", "discount", "tax", "bill", "landed"]


@dataclass(frozen=True)
class SalesLine:
    """One line of an invoice/receipt/bill. ``account`` is the mapped external code (QuickBooks:
    an item id for sales, shipping and tax lines, an account id for discounts and bill lines)."""

    role: LineRole
    description: str
    quantity: Decimal
    unit_amount: Decimal
    account: str
    tax_code: str = ""
    sku_code: str = ""

    @property
    def amount(self) -> Decimal:
        """Quantity x unit amount, to the cent."""
        return (self.quantity * self.unit_amount).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class SalesDocument:
    """A sale (invoice or sales receipt), a purchase bill, or a supplier credit (a bill's receipt
    was reversed after the bill was posted)."""

    kind: Literal["sales_invoice", "sales_receipt", "bill", "bill_credit"]
    reference: str
    date: date
    contact: ContactRef
    currency: str
    lines: tuple[SalesLine, ...]
    memo: str = ""
    due_date: date | None = None
    deposit_account: str = ""
    payable_account: str = ""

    @property
    def total(self) -> Decimal:
        """Sum of the line amounts."""
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class JournalLine:
    """One journal line: signed amount (debit > 0, credit < 0) on an external account."""

    account: str
    amount: Decimal
    description: str = ""


class UnbalancedJournal(ValueError):
    """A journal's debits and credits differ."""


@dataclass(frozen=True)
class JournalDocument:
    """A manual journal (Xero) / journal entry (QuickBooks)."""

    kind: Literal["cogs_journal", "adjustment_journal"]
    reference: str
    date: date
    narration: str
    currency: str
    lines: tuple[JournalLine, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        """Sum of the debits."""
        return sum((line.amount for line in self.lines if line.amount > 0), ZERO)

    def check_balanced(self) -> None:
        """Raise UnbalancedJournal unless debits equal credits to the cent, with >= 2 lines."""
        if len(self.lines) < 2 or sum((line.amount for line in self.lines), ZERO) != ZERO:
            raise UnbalancedJournal(f"Journal {self.reference} does not balance")


Document = SalesDocument | JournalDocument


@dataclass(frozen=True)
class PostResult:
    """The vendor's answer to a create or a look-up: its id for the document, and the body."""

    external_id: str
    response: dict
    replayed: bool = False
