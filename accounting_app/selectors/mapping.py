"""Reads of a connection's account and tax mappings."""

from __future__ import annotations

from accounting_app.models import AccountingConnection, AccountMapping, TaxMapping


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
        """The vendor tax type/code for sales or purchases ('' when none is mapped)."""
        return self._taxes.get((kind, channel_id)) or self._taxes.get((kind, None)) or ""
