"""The fake's web services: ``/sales_ws`` and ``/stock_ws`` routed by ``action``, XML answers.

Every call checks ``login``, ``pwd`` (the token) and the action's ``version`` first; errors are
``errorresponse`` bodies with HTTP 200 (the documented envelope). Faults (``Faults``) inject
"Quota exceeded" answers, an entity-laden body or an oversized one.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from urllib.parse import parse_qs
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .state import Item, RakutenState, Sale

VERSIONS = {
    "getnewsales": ("sales_ws", "2017-08-07"),
    "acceptsale": ("sales_ws", "2010-09-20"),
    "refusesale": ("sales_ws", "2010-09-20"),
    "getcurrentsales": ("sales_ws", "2017-08-07"),
    "getiteminfos": ("sales_ws", "2017-08-07"),
    "settrackingpackageinfos": ("sales_ws", "2016-03-16"),
    "importitemshippingstatus": ("sales_ws", "2016-05-09"),
    "genericimportfile": ("stock_ws", "2015-02-02"),
    "genericimportreport": ("stock_ws", "2017-02-10"),
    "export": ("stock_ws", "2018-06-29"),
}
PROFESSIONAL_ONLY = ("genericimportfile", "genericimportreport", "export")
CURRENT_PAGE = 2  # getcurrentsales sales per page (small: forces paging)
REPORT_PAGE = 1000  # genericimportreport product lines per page
EXPORT_PAGE = 100
PARIS = ZoneInfo("Europe/Paris")
ERROR_NS = "https://static.fr.shopping.rakuten.com/res/schema/error"


@dataclass
class Faults:
    """Injected failures: the next ``quota`` calls answer "Quota exceeded" (with
    ``quota_status``; only for ``quota_action`` when set); ``hostile`` answers a DOCTYPE with an
    entity; ``oversized`` a huge body."""

    quota: int = 0
    quota_status: int = 200
    quota_action: str = ""  # only this action gets the quota answers (all when empty)
    hostile: bool = False
    oversized: bool = False


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "text/xml; charset=utf-8"


class XmlRefused(ValueError):
    """An uploaded file the fake cannot read (not well-formed, or with a DTD or entities)."""


def xml_parse(content: bytes):
    try:
        return fromstring(content, forbid_dtd=True)
    except (DefusedXmlException, ParseError) as exc:
        raise XmlRefused(str(exc)) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(node, name: str) -> list:
    return [] if node is None else [c for c in node if _local(c.tag) == name]


def descendants(node, name: str) -> list:
    return [] if node is None else [e for e in node.iter() if _local(e.tag) == name]


def text(node, name: str) -> str:
    found = children(node, name)
    return (found[0].text or "").strip() if found else ""


def error(type_: str, code: str, message: str, detail: str, *, status: int = 200) -> Answer:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<errorresponse xmlns="{ERROR_NS}"><error>'
        f"<type>{escape(type_)}</type><code>{escape(code)}</code><message>{escape(message)}</message>"
        f"<details><detail>{escape(detail)}</detail></details></error></errorresponse>"
    )
    return Answer(status, body.encode())


def quota_error(status: int = 200) -> Answer:
    return error("Sender", "QuotaExceeded", "Quota exceeded", "Quota exceeded", status=status)


def result(action: str, login: str, response: str, *, root: str | None = None) -> Answer:
    name = root or f"{action}result"
    version = VERSIONS[action][1]
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{name} xmlns="http://pmcdn.priceminister.com/res/schema/{action}">'
        f"<request><version>{version}</version><user>{escape(login)}</user></request>"
        f"<response>{response}</response></{name}>"
    )
    return Answer(200, body.encode())


def _money(tag: str, amount) -> str:
    return f"<{tag}><amount>{amount}</amount><currency>EUR</currency></{tag}>"


def sale_xml(sale: Sale, items: list[Item]) -> str:
    first, _, last = sale.buyer.partition(" ")
    parts = [
        f"<sale><purchaseid>{sale.purchase_id}</purchaseid>",
        f"<purchasedate>{sale.purchased_at.astimezone(PARIS).strftime('%d/%m/%Y-%H:%M:%S')}</purchasedate>",
        "<deliveryinformation><shippingtype>Normal</shippingtype>"
        "<purchasebuyeremail>buyer@example.invalid</purchasebuyeremail>"
        f"<deliveryaddress><firstname>{escape(first)}</firstname><lastname>{escape(last)}</lastname>"
        "<address1>1 rue de Rivoli</address1><zipcode>75001</zipcode><city>Paris</city>"
        "<country>France</country><countryalpha2>FR</countryalpha2></deliveryaddress></deliveryinformation><items>",
    ]
    for item in items:
        parts.append(
            f"<item><sku>{escape(item.reference)}</sku><advertid>{item.aid}</advertid>"
            f"{_money('advertpricelisted', item.price)}<itemid>{item.item_id}</itemid>"
            f"<headline>{escape(item.headline)}</headline><itemstatus>{item.status}</itemstatus>"
            f"<ispreorder>N</ispreorder>{_money('price', item.price)}</item>"
        )
    parts.append("</items></sale>")
    return "".join(parts)


def _multipart_file(headers, body: bytes) -> bytes | None:
    content_type = headers.get("Content-Type", "")
    if not content_type.startswith("multipart/form-data"):
        return None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_payload(decode=True)
    return None


def handle(
    state: RakutenState, faults: Faults, method: str, path: str, query: str, headers, body: bytes
) -> Answer:
    """One web-service request (see the module docstring)."""
    params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    for name in ("action", "login", "pwd", "version"):
        if not params.get(name):
            return error(
                "Sender", "ParameterError", "Problem with parameters", f"The parameter {name} is mandatory"
            )
    action = params["action"]
    service = path.strip("/")
    if action not in VERSIONS or VERSIONS[action][0] != service:
        return error(
            "Sender", "ParameterError", "Problem with parameters", f"Unknown action {action} on {service}"
        )
    if params["login"] != state.login or params["pwd"] != state.token:
        return error(
            "Sender", "InvalidUserCredentials", "Invalid credentials", "The login or pwd (token) is invalid"
        )
    if params["version"] != VERSIONS[action][1]:
        return error(
            "Sender",
            "ParameterError",
            "Problem with parameters",
            f"The version {params['version']} is not supported",
        )
    if faults.quota > 0 and faults.quota_action in ("", action):
        faults.quota -= 1
        return quota_error(faults.quota_status)
    if faults.hostile:
        doc = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]><getnewsalesresult>&x;'
        doc += b"</getnewsalesresult>"
        return Answer(200, doc)
    if faults.oversized:
        return Answer(200, b"<getnewsalesresult>" + b" " * (21 * 1024 * 1024) + b"</getnewsalesresult>")
    if action in PROFESSIONAL_ONLY and not state.professional:
        return error(
            "Sender",
            "AccessDenied",
            "Access denied",
            "Ce Webservice est accessible uniquement aux vendeurs professionnels",
        )
    with state.lock:
        state.tick()
        return ACTIONS[action](state, params, headers, body)


def _page(rows: list, params, size: int) -> tuple[list, str]:
    """The page of ``rows`` that ``nexttoken`` (an offset here; opaque to clients) points at, and
    the next page's token ('' on the last page)."""
    start = int(params["nexttoken"]) if params.get("nexttoken", "").isdigit() else 0
    return rows[start : start + size], (str(start + size) if start + size < len(rows) else "")


def _getnewsales(state: RakutenState, params, headers, body) -> Answer:
    sales = []
    for sale in state.sales.values():
        if any(i.status == "REQUESTED" for i in sale.items):  # the whole sale, each item's state
            sales.append(sale_xml(sale, sale.items))
    return result(
        "getnewsales", state.login, f"<lastversion>2017-08-07</lastversion><sales>{''.join(sales)}</sales>"
    )


def _answer(state: RakutenState, params, accept: bool) -> Answer:
    action = "acceptsale" if accept else "refusesale"
    found = state.item(params.get("itemid", ""))
    if found is None:
        return error(
            "Sender", "ParameterError", "Problem with parameters", f"Unknown item {params.get('itemid', '')}"
        )
    _sale, item = found
    if item.status != "REQUESTED":
        return error(
            "Sender", "ParameterError", "Problem with parameters",
            f"Item {item.item_id} is not in a state allowing this action",
        )  # fmt: skip
    item.status = "ACCEPTED" if accept else "REFUSED"
    item.answers += 1
    if not accept:
        advert = state.adverts.get(item.reference)
        if advert is not None:
            advert.quantity += 1  # a refused unit goes back on sale
    return result(action, state.login, f"<status>{'Accepted' if accept else 'Refused'}</status>")


def _getcurrentsales(state: RakutenState, params, headers, body) -> Answer:
    current = [
        s for s in state.sales.values() if any(i.status not in ("REQUESTED", "CANCELLED") for i in s.items)
    ]
    page, token = _page(current, params, CURRENT_PAGE)
    xml = "".join(sale_xml(s, s.items) for s in page)
    return result("getcurrentsales", state.login, f"<sales>{xml}</sales><nexttoken>{token}</nexttoken>")


def _settracking(state: RakutenState, params, headers, body) -> Answer:
    found = state.item(params.get("itemid", ""))
    if found is None or found[1].status not in ("ACCEPTED", "SHIPPED"):
        return error("Sender", "ParameterError", "Problem with parameters", "Item not accepted")
    if not params.get("transporter_name") or not params.get("tracking_number"):
        return error(
            "Sender",
            "ParameterError",
            "Problem with parameters",
            "transporter_name and tracking_number are mandatory",
        )
    if params["transporter_name"] == "Autre" and not params.get("tracking_url"):
        return error(
            "Sender", "ParameterError", "Problem with parameters", "The parameter tracking_url is mandatory"
        )
    found[1].tracking = {
        k: params.get(k, "") for k in ("transporter_name", "tracking_number", "tracking_url")
    }
    found[1].status = "SHIPPED"
    return result("settrackingpackageinfos", state.login, "<status>OK</status>")


def _shippingstatus(state: RakutenState, params, headers, body) -> Answer:
    content = _multipart_file(headers, body)
    if content is None:
        return error(
            "Sender", "ParameterError", "Problem with parameters", "The file is mandatory (POST multipart)"
        )
    try:
        root = xml_parse(content)
    except XmlRefused as exc:
        return error("Sender", "ParameterError", "Problem with parameters", str(exc))
    rows = []
    for node in children(root, "item"):
        row = {
            k: text(node, k) for k in ("purchaseid", "itemid", "transporter", "trackingnumber", "trackingurl")
        }
        found = state.item(row["itemid"])
        if (
            found is None
            or found[0].purchase_id != row["purchaseid"]
            or found[1].status not in ("ACCEPTED", "SHIPPED")
        ):
            return error(
                "Sender", "ParameterError", "Problem with parameters", f"Item {row['itemid']} not accepted"
            )
        rows.append(row)
    for row in rows:
        _sale, item = state.item(row["itemid"])
        item.tracking = {"transporter_name": row["transporter"], "tracking_number": row["trackingnumber"],
                         "tracking_url": row["trackingurl"]}  # fmt: skip
        item.status = "SHIPPED"
    state.shipping_files.append(rows)
    return result("importitemshippingstatus", state.login, "<status>OK</status>")


def _import(state: RakutenState, params, headers, body) -> Answer:
    if params.get("purgeandreplace", "").lower() in ("true", "1", "y", "yes"):
        state.purge_requested = True
    content = _multipart_file(headers, body)
    if content is None:
        return error(
            "Sender",
            "ParameterError",
            "Problem with parameters",
            "Il faut transmettre le fichier en POST / multiPart",
        )
    if not state.upload_allowed():
        return quota_error()
    lines: list[tuple[str, int]] = []
    valid = not content.startswith(b"\xef\xbb\xbf")
    try:
        root = xml_parse(content) if valid else None
        for advert in descendants(root, "advert"):
            values = {text(a, "key"): text(a, "value") for a in children(advert, "attribute")}
            qty = values.get("qty", "")
            lines.append((values.get("sellerReference", ""), int(qty) if qty.lstrip("-").isdigit() else -1))
    except XmlRefused:
        valid = False
    file = state.file_add(filename=params.get("filename", "upload.xml"), lines=lines, valid=valid)
    return result(
        "genericimportfile",
        state.login,
        f"<status>OK</status><importid>{file.import_id}</importid>",
        root="importresult",
    )


def _report(state: RakutenState, params, headers, body) -> Answer:
    file = state.files.get(params.get("fileid", ""))
    if file is None:
        return error(
            "Sender",
            "ParameterError",
            "Problem with parameters",
            f"Unknown fileid {params.get('fileid', '')}",
        )
    status = state.file_status(file)
    head = (
        f"<file><filename>{escape(file.filename)}</filename><status>{escape(status)}</status>"
        f"<totallines>{len(file.lines)}</totallines></file>"
    )
    products, token = "", ""
    if file.applied:
        refs, token = _page(list(file.outcomes.items()), params, REPORT_PAGE)
        for ref, (ok, message) in refs:
            errors = (
                ""
                if ok
                else f"<errors><error><code>1</code><message>{escape(message)}</message></error></errors>"
            )
            products += (
                f"<product><sku>{escape(ref)}</sku><status>{'OK' if ok else 'KO'}</status>{errors}</product>"
            )
    return result("genericimportreport", state.login, f"{head}{products}<nexttoken>{token}</nexttoken>")


def _export(state: RakutenState, params, headers, body) -> Answer:
    adverts = list(state.adverts.values())
    page, token = _page(adverts, params, EXPORT_PAGE)
    xml = "".join(
        f"<advert><aid>{a.aid}</aid><sellerReference>{escape(a.reference)}</sellerReference>"
        f"<qty>{a.quantity}</qty><headline>{escape(a.headline)}</headline></advert>"
        for a in page
    )
    return result(
        "export",
        state.login,
        f"<advertlist>{xml}</advertlist><nexttoken>{token}</nexttoken>",
        root="inventoryresult",
    )


def _iteminfos(state: RakutenState, params, headers, body) -> Answer:
    found = state.item(params.get("itemid", ""))
    if found is None:
        return error("Sender", "ParameterError", "Problem with parameters", "Unknown item")
    return result(
        "getiteminfos",
        state.login,
        f"<item><itemid>{found[1].item_id}</itemid><itemstatus>{found[1].status}</itemstatus></item>",
    )


ACTIONS = {
    "getnewsales": _getnewsales,
    "acceptsale": lambda s, p, h, b: _answer(s, p, True),
    "refusesale": lambda s, p, h, b: _answer(s, p, False),
    "getcurrentsales": _getcurrentsales,
    "getiteminfos": _iteminfos,
    "settrackingpackageinfos": _settracking,
    "importitemshippingstatus": _shippingstatus,
    "genericimportfile": _import,
    "genericimportreport": _report,
    "export": _export,
}
