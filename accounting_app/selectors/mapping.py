"""Reads of a connection's account and tax mappings, and what is still to map."""

from __future__ import annotations

from accounting_app.models import AccountingConnection, AccountMapping, SalesMode, TaxKind, TaxMapping
from inventory_app.models import SalesChannel

# What the vendor calls the tax code of a line, and an example of one that adds no tax.
TAX_WORDS = {
    "xero": ("Xero TaxType", "NONE, or a zero-rated / exempt type"),
    "quickbooks": ("QuickBooks TaxCodeRef (tax code id)", "the id of a zero-rated, exempt or NON code"),
}
TAX_WHY = {
    TaxKind.SALES: "the tax the channel charged is posted as its own line, so sales lines must add no tax",
    TaxKind.PURCHASES: "bills carry the values of our ledger, so their lines must add no tax",
}


def tax_mapping_missing_message(
    *, connection: AccountingConnection, kind: str, channel_name: str = ""
) -> str:
    """Exactly what to map so that the vendor adds no tax of its own to our lines."""
    word, example = TAX_WORDS.get(connection.kind, ("tax code", "a code that adds no tax"))
    scope = f"for channel {channel_name!r} (or for every channel)" if channel_name else "for every channel"
    return (
        f"No {kind} tax mapping on connection {connection.name!r}: add a tax mapping of kind "
        f"{str(kind)!r} {scope} with the {word} that adds no tax ({example}). Without it the vendor "
        f"adds each account's or item's default tax and the document's total differs from ours: "
        f"{TAX_WHY[TaxKind(kind)]}."
    )


def connection_mapping_gaps(*, connection: AccountingConnection) -> list[str]:
    """What must still be mapped before the connection may export what it is set to post
    (tax mappings; a channel without its own uses the default). Empty when complete."""
    kinds = set(TaxMapping.objects.filter(connection=connection).values_list("kind", flat=True))
    gaps = []
    if connection.sales_mode != SalesMode.NONE and TaxKind.SALES not in kinds:
        gaps.append(tax_mapping_missing_message(connection=connection, kind=TaxKind.SALES))
    if connection.post_purchases and TaxKind.PURCHASES not in kinds:
        gaps.append(tax_mapping_missing_message(connection=connection, kind=TaxKind.PURCHASES))
    return gaps


class MappingMissing(LookupError):
    """A role has no external account for the channel, nor a default one."""


class MappingResolver:
    """Resolves roles to external codes for one connection: the channel's own mapping first,
    then the connection's default. Loads the mappings once."""

    def __init__(self, *, connection: AccountingConnection):
        self.connection = connection
        self._accounts = {
            (m.role, m.channel_id): m.external_code
            for m in AccountMapping.objects.filter(connection=connection)
        }
        self._taxes = {
            (t.kind, t.channel_id): t.external_code for t in TaxMapping.objects.filter(connection=connection)
        }

    def account(self, role: str, channel_id: int | None = None) -> str:
        """The external code of ``role`` for the channel; raises MappingMissing."""
        code = self._accounts.get((role, channel_id)) or self._accounts.get((role, None))
        if not code:
            raise MappingMissing(f"No account is mapped for {str(role)!r} on connection {self.connection.pk}")
        return code

    def tax(self, kind: str, channel_id: int | None = None) -> str:
        """The vendor tax type/code for sales or purchases on the channel; raises MappingMissing
        (saying what to map): without one the vendor would add its default tax to our lines."""
        code = self._taxes.get((kind, channel_id)) or self._taxes.get((kind, None))
        if not code:
            channel_name = ""
            if channel_id is not None:
                channel_name = (
                    SalesChannel.objects.filter(pk=channel_id).values_list("name", flat=True).first()
                )
            raise MappingMissing(
                tax_mapping_missing_message(
                    connection=self.connection, kind=kind, channel_name=channel_name or ""
                )
            )
        return code
