"""The accounting exporter interface: what the posting services need from any vendor.

An exporter is a plain class registered under a ``kind`` (:mod:`.registry`). The services build
one per use with a :class:`~.dto.ConnectionConfig` (decrypted client credentials, tenant id,
endpoints) and a :class:`TokenProvider` that hands out a valid access token and refreshes it
(persisting the rotated refresh token) when asked. Exporters never touch the database, never
decide *what* to post (the services plan documents from the core's figures and map accounts) and
never sleep beyond the bounded Retry-After waits of :mod:`.http`.

Errors (:mod:`.errors`): :class:`ValidationRejected` / :class:`ExporterError` mean nothing was
created and the document can be sent again once fixed; :class:`RetryableError` means the outcome
is unknown; :class:`AuthorizationError` means the connection must be connected again.

Hooks, in the order the services call them:

OAuth (connect flow, ``services.connections``)
    :meth:`authorization_url` -> the user consents at the vendor -> :meth:`code_exchange` with the
    callback's query -> :meth:`tenant_discover` (Xero: ``GET /connections``; QuickBooks: the
    ``realmId`` of the callback). :meth:`token_refresh` is called by the token provider before the
    access token expires and after a 401.

Posting (``services.posting``), per document
    :meth:`document_find` (look-up by our reference; None when absent) -> :meth:`contact_ensure`
    when the document has a contact -> :meth:`document_payload` (pure; also used by the preview)
    -> :meth:`document_create` with the document's idempotency key -> :meth:`document_total` (the
    posted document read back: its total must equal ours to the cent, else it is flagged).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar, Protocol

from django.utils import timezone

from accounting_app.exporters.dto import (
    ConnectionConfig,
    ContactRef,
    Document,
    PostResult,
    Tenant,
    TokenSet,
)


class TokenProvider(Protocol):
    """Hands out access tokens for one connection (implemented by ``services.tokens``)."""

    def access_token(self) -> str:
        """A current access token, refreshed first if it expires within the safety margin."""
        ...

    def refresh(self, *, rejected: str) -> str:
        """Refresh after the vendor rejected ``rejected`` (401); return the new access token.

        If another worker refreshed in the meantime, its token is returned without a new refresh.
        Raises AuthorizationError when the vendor refuses the refresh token.
        """
        ...


class AccountingExporter(ABC):
    """Base class of every accounting vendor's exporter. Subclasses set ``kind`` and ``label``.

    Class attributes: ``kind`` (registry key, stored on connections), ``label`` (shown to staff),
    ``sales_kinds`` (which sales document kinds the vendor takes), ``reference_max_length``, and
    the OAuth hooks of the shared connect flow: ``oauth_authorize_url`` (the vendor's consent
    page builder, a ``staticmethod`` taking ``base``, ``client_id``, ``redirect_uri``, ``state``)
    ``oauth_authorize_base`` (its default base) and ``oauth_token_url`` (the vendor's token
    endpoint), ``api_root_default`` and ``api_hosts`` (the documented API hosts). A connection's
    ``auth_base_url`` / ``token_url`` may only repeat the vendor's constants and its
    ``api_base_url`` name one of ``api_hosts``, except loopback fakes while
    ``ACCOUNTING_ALLOW_PRIVATE_HOSTS`` is set (:mod:`.endpoints`).
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    sales_kinds: ClassVar[tuple[str, ...]] = ("sales_invoice",)
    reference_max_length: ClassVar[int] = 21
    default_scope: ClassVar[str] = ""
    oauth_authorize_url: ClassVar[Callable[..., str]]
    oauth_authorize_base: ClassVar[str] = ""
    oauth_token_url: ClassVar[str] = ""
    api_root_default: ClassVar[str] = ""
    api_hosts: ClassVar[tuple[str, ...]] = ()
    # How long a refresh token lives when the token answer does not say (None: not known).
    refresh_token_lifetime: ClassVar[timedelta | None] = None

    def __init__(self, *, config: ConnectionConfig, tokens: TokenProvider | None = None):
        self.config = config
        self.tokens = tokens

    # --- OAuth 2.0 -----------------------------------------------------------------------------

    def authorization_url(self, *, state: str, redirect_uri: str) -> str:
        """The vendor's consent page URL for the authorisation-code flow, carrying ``state``.

        Pure: no HTTP. The caller stores (a hash of) ``state`` and checks it on the callback.
        """
        from accounting_app.exporters.endpoints import fixed_url

        base = fixed_url(
            configured=self.config.auth_base_url, constant=self.oauth_authorize_base, what="consent page URL"
        )
        return self.oauth_authorize_url(
            base=base,
            client_id=self.config.client_id,
            redirect_uri=redirect_uri,
            state=state,
        )

    def code_exchange(self, *, code: str, redirect_uri: str) -> TokenSet:
        """Exchange the callback's authorisation code for tokens (token endpoint, client auth).

        Raises AuthorizationError when the vendor refuses the code. Not retried: a code is single-use.
        """
        return self._token_grant(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )

    def token_refresh(self, *, refresh_token: str) -> TokenSet:
        """Use ``refresh_token`` for a new token set. The answer's refresh token replaces the old
        one (both vendors rotate). Raises AuthorizationError (invalid_grant) or RetryableError."""
        return self._token_grant({"grant_type": "refresh_token", "refresh_token": refresh_token})

    @property
    def api_root(self) -> str:
        """The API root: the connection's ``api_base_url`` if it names a documented API host
        (EndpointRefused otherwise), else the vendor's default."""
        from accounting_app.exporters.endpoints import endpoint_check

        return endpoint_check(
            url=self.config.api_base_url or self.api_root_default, hosts=self.api_hosts, what="API base URL"
        )

    def _token_grant(self, data: dict[str, str]) -> TokenSet:
        from accounting_app.exporters.endpoints import fixed_url
        from accounting_app.exporters.oauth import token_request  # oauth -> http -> this module

        token_url = fixed_url(
            configured=self.config.token_url, constant=self.oauth_token_url, what="token URL"
        )
        tokens = token_request(
            token_url=token_url,
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            data=data,
        )
        if tokens.refresh_expires_at is None and self.refresh_token_lifetime is not None:
            tokens = replace(tokens, refresh_expires_at=timezone.now() + self.refresh_token_lifetime)
        return tokens

    @abstractmethod
    def tenant_discover(self, *, tokens: TokenSet, callback: Mapping[str, str]) -> Tenant:
        """The tenant the user just authorised (Xero: connections endpoint; QuickBooks: the
        callback's ``realmId``). Raises ExporterError when there is none."""

    # --- posting -------------------------------------------------------------------------------

    @abstractmethod
    def document_payload(self, *, document: Document, contact_id: str = "") -> dict:
        """The exact request body that would create ``document`` (pure; used by the preview)."""

    @abstractmethod
    def document_find(self, *, document: Document) -> PostResult | None:
        """Look the document up at the vendor by its reference; None when it is not there.

        Safe to retry. Used before every create, so that an interrupted post is never repeated.
        """

    @abstractmethod
    def contact_find_or_create(self, *, contact: ContactRef) -> str:
        """The vendor id of the contact/customer/vendor: found by name or e-mail, else created.

        The services cache the answer per (connection, key), so it is called once per contact.
        """

    @abstractmethod
    def document_create(self, *, document: Document, contact_id: str, idempotency_key: str) -> PostResult:
        """Create ``document``; the vendor replays the first answer for a repeated key.

        Raises ValidationRejected (nothing created), RetryableError (outcome unknown),
        AuthorizationError.
        """

    @abstractmethod
    def document_total(self, *, kind: str, external_id: str) -> Decimal:
        """Read a posted document of our ``kind`` (DocumentKind) back: its total as the vendor
        computed it (tax included; for journals the sum of the debits), to the cent. Safe to retry.

        Raises RetryableError / ExporterError when it cannot be read.
        """
