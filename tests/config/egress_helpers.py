"""Test doubles of the network for the egress-guard tests: a scripted DNS resolver, a record of
connect attempts, a loopback HTTP server counting hits, and a TLS server with its own CA."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PUBLIC_IP = "93.184.216.34"


class ScriptedResolver:
    """``socket.getaddrinfo`` answering scripted names with successive answers (the last one
    repeats); other names and address literals go to the real resolver. Counts lookups."""

    def __init__(self, real):
        self.real = real
        self.answers: dict[str, list[str]] = {}
        self.lookups: dict[str, int] = defaultdict(int)

    def script(self, name: str, *addresses: str) -> None:
        self.answers[name] = list(addresses)

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return self.real(host, port, family, type, proto, flags)
        self.lookups[name] += 1
        answers = self.answers[name]
        address = answers[min(self.lookups[name], len(answers)) - 1]
        ip = ipaddress.ip_address(address)
        fam = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        sockaddr = (address, int(port or 0), 0, 0) if ip.version == 6 else (address, int(port or 0))
        return [(fam, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        return

    def _answer(self):
        self.server.hits.append((self.command, self.path, self.headers.get("Host")))
        if self.path.startswith("/away"):
            location = f"http://localhost:{self.server.server_address[1]}/landed"
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


@contextmanager
def loopback_server(tls: ssl.SSLContext | None = None) -> Iterator[ThreadingHTTPServer]:
    """An HTTP(S) server on 127.0.0.1 recording (method, path, Host) of every request in ``hits``;
    ``/away...`` redirects to the same port on the host name ``localhost`` (another host)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.hits = []
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def tls_pair(tmp_path: Path, *, host: str) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a certificate for ``host`` signed by a fresh CA, and the CA file."""
    now = datetime.datetime.now(datetime.UTC)

    def cert(subject, issuer, key, signer, *, ca: bool, names=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "egress test CA")])
    ca_cert = cert(ca_name, ca_name, ca_key, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    leaf = cert(name, ca_name, key, ca_key, ca=False, names=[x509.DNSName(host)])
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain = tmp_path / "server.pem"
    chain.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    context.sni = []
    context.sni_callback = lambda sock, server_name, ctx: context.sni.append(server_name)
    return context, ca_file
