"""The Rakuten France web services client: one call = one action on sales_ws or stock_ws.

Every call carries ``action``, ``login`` (the seller's login), ``pwd`` (the API token, not the
password) and the action's ``version`` (:data:`VERSIONS`, one table to edit). Answers are XML,
parsed by :func:`~channels_app.connectors.xmlsafe.xml_parse` (no DTD, no entities, bounded
size) and read by local name (the namespaces changed with the PriceMinister rebranding). An
answer whose root is ``errorresponse`` is an error whatever its HTTP status (:func:`error_raise`):
"Quota exceeded" and ``ServerError`` are retryable, a Sender error naming the login or token is
"credentials invalid", anything else is permanent with Rakuten's own words.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from xml.etree.ElementTree import Element

from channels_app.connectors.base import Throttle
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.xmlsafe import UnsafeXml, child, children, local, text, xml_parse

SALES = "sales_ws"
STOCK = "stock_ws"

# action -> (service, version); read in third-party clients (docs/vendors/rakuten.md §1.1).
VERSIONS: dict[str, tuple[str, str]] = {
    "getnewsales": (SALES, "2017-08-07"),
    "acceptsale": (SALES, "2010-09-20"),
    "refusesale": (SALES, "2010-09-20"),
    "getcurrentsales": (SALES, "2017-08-07"),
    "getiteminfos": (SALES, "2017-08-07"),
    "settrackingpackageinfos": (SALES, "2016-03-16"),
    "importitemshippingstatus": (SALES, "2016-05-09"),
    "genericimportfile": (STOCK, "2015-02-02"),
    "genericimportreport": (STOCK, "2017-02-10"),
    "export": (STOCK, "2018-06-29"),
}

# Seconds to wait after "Quota exceeded" (the hourly request quota; its size is not published).
QUOTA_RETRY_SECONDS = 60.0
CREDENTIAL_WORDS = ("login", "pwd", "token", "authentif", "credential", "identifiant")
FORBIDDEN_PARAMS = ("purgeandreplace",)  # replaces the whole inventory: never sent


class RakutenApiError(ConnectorError):
    """An ``errorresponse`` that is not retryable; ``type``, ``code`` and ``details`` as sent."""

    def __init__(self, message: str, *, type_: str = "", code: str = "", details: Sequence[str] = ()):
        super().__init__(message)
        self.type = type_
        self.code = code
        self.details = list(details)


class RakutenQuotaError(RetryableError):
    """Rakuten's "Quota exceeded" (or a 429/503 while over quota): retry after a wait."""


def error_raise(root: Element, *, status: int | None = 200) -> None:
    """Raise the exception an ``errorresponse`` root means (see the module docstring); the
    exception carries the answer's HTTP ``status`` (Rakuten answered: the call was not applied)."""
    error = child(root, "error")
    type_, code, message = text(error, "type"), text(error, "code"), text(error, "message")
    details = [(d.text or "").strip() for d in children(child(error, "details"), "detail")]
    said = " ".join([code, message, *details])
    where = f"Rakuten {type_ or 'error'} {code}: {message}" + (f" ({'; '.join(details)})" if details else "")
    if "quota" in said.lower():
        raise RakutenQuotaError(
            f"Rakuten: Quota exceeded ({said.strip()})", retry_after=QUOTA_RETRY_SECONDS, status=status
        )
    if type_.lower().startswith("server"):
        raise RetryableError(where, status=status)
    lowered = " ".join([code, *details]).lower()
    if type_.lower() == "sender" and any(word in lowered for word in CREDENTIAL_WORDS):
        raise RakutenApiError(
            f"Rakuten credentials invalid: check the login and paste the API token again ({where})",
            type_=type_,
            code=code,
            details=details,
        )
    raise RakutenApiError(where, type_=type_, code=code, details=details)


def multipart_file(*, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``content`` as the form field ``file``; (body, content type)."""
    boundary = f"----rakuten{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/xml\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class RakutenClient:
    """Calls of one seller account (``login``, API ``token``) through the account's ChannelHttp."""

    def __init__(
        self,
        *,
        http: ChannelHttp,
        login: str,
        token: str,
        throttle: Throttle | None = None,
        per_second: float | None = None,
    ):
        self.http = http
        self.login = login
        self.token = token
        self.throttle = throttle
        self.per_second = per_second  # pace of the shared "request" bucket (None: as declared)

    def call(
        self,
        action: str,
        params: Mapping[str, str] | None = None,
        *,
        file: tuple[str, bytes] | None = None,
    ) -> Element:
        """Run ``action`` with ``params`` (``file``: (filename, XML) sent as multipart POST) and
        return the answer's root element. Raises RakutenQuotaError / RetryableError / ConnectorError."""
        service, version = VERSIONS[action]
        extra = dict(params or {})
        if any(name.lower() in FORBIDDEN_PARAMS for name in extra):
            raise ConnectorError("purgeandreplace is never sent: it would replace the whole inventory")
        query = {"action": action, "login": self.login, "pwd": self.token, "version": version, **extra}
        if self.throttle is not None:
            self.throttle("request", per_second=self.per_second)
        try:
            if file is None:
                response = self.http.request("GET", f"/{service}", params=query)
            else:
                body, content_type = multipart_file(filename=file[0], content=file[1])
                response = self.http.request(
                    "POST", f"/{service}", params=query, data=body, headers={"Content-Type": content_type}
                )
        except RetryableError as exc:
            if exc.status in (429, 503) and "quota" in (exc.body or "").lower():
                raise RakutenQuotaError(
                    f"Rakuten: Quota exceeded (HTTP {exc.status})",
                    retry_after=exc.retry_after or QUOTA_RETRY_SECONDS,
                    status=exc.status,
                ) from None
            raise
        except ConnectorError as exc:
            root = _error_root(exc.body)
            if root is not None:
                error_raise(root, status=exc.status)
            raise
        try:
            root = xml_parse(response.content)
        except UnsafeXml as exc:
            raise ConnectorError(f"Rakuten {action}: {exc}") from None
        if local(root.tag) == "errorresponse":
            error_raise(root, status=response.status_code)
        return root


def _error_root(body: str) -> Element | None:
    """The ``errorresponse`` root of an error body (non-2xx), or None."""
    if not body or "errorresponse" not in body:
        return None
    try:
        root = xml_parse(body)
    except UnsafeXml:
        return None
    return root if local(root.tag) == "errorresponse" else None
