"""Raw HTTP to one Volusion store's ``/net/WebService.aspx``: exports and imports, nothing else.

Credentials travel as query parameters (Volusion's only scheme); the egress guard logs the path
only and scrubs the password from error bodies, and :mod:`config.logmasking` masks
``EncryptedPassword=`` in any log line that might carry a URL.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.xmlsafe import xml_parse

ENDPOINT = "net/WebService.aspx"
EXPIRED = "Volusion credentials expired: paste the new EncryptedPassword"
MAX_ANSWER_BYTES = 20 * 1024 * 1024


class CredentialsExpired(ConnectorError):
    """Volusion answered an empty body: the Login/EncryptedPassword pair is no longer valid
    (the admin password was changed, as Volusion makes merchants do every month or two)."""

    def __init__(self) -> None:
        super().__init__(EXPIRED)


class VolusionClient:
    """Exports and imports of one store; ``before_call`` runs before every request (throttle)."""

    def __init__(self, *, http: ChannelHttp, login: str, password: str, before_call: Callable[[], None]):
        self.http = http
        self._auth = {"Login": login, "EncryptedPassword": password}
        self._before_call = before_call

    def export(self, name: str, *, columns: str, where: tuple[str, str] | None = None) -> list[Element]:
        """The records of export ``name`` (``Generic\\Orders``...), filtered on one column
        equality when ``where`` is given (else: the next batch of the store-wide cursor)."""
        params = {**self._auth, "EDI_Name": name, "SELECT_Columns": columns}
        if where is not None:
            params["WHERE_Column"], params["WHERE_Value"] = where
        self._before_call()
        response = self.http.request("GET", ENDPOINT, params=params)
        root = self._parse(response.content, what=f"{name} export")
        if root.tag != "xmldata":
            raise ConnectorError(f"The {name} export answered <{root.tag}>, not <xmldata>")
        return list(root)

    def import_rows(self, mode: str, rows_xml: str) -> None:
        """POST ``<xmldata>rows</xmldata>`` as ``Import=<mode>``. The answer is checked for the
        credentials only: what landed is read back by the caller."""
        body = f'<?xml version="1.0" encoding="utf-8"?>\n<xmldata>{rows_xml}</xmldata>'.encode()
        self._before_call()
        response = self.http.request(
            "POST",
            ENDPOINT,
            params={**self._auth, "Import": mode},
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Content-Action": "Volusion_API",
            },
        )
        if not response.content.strip():
            raise CredentialsExpired()

    @staticmethod
    def _parse(content: bytes, *, what: str) -> Element:
        if not content.strip():
            raise CredentialsExpired()
        return xml_parse(content, max_bytes=MAX_ANSWER_BYTES, what=f"Volusion {what}")
