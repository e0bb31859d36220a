"""Every HTTP request Muster makes to an address someone else gave it.

LTI platforms (their configuration, JWKS, token, score and roster endpoints,
all named by whoever holds a registration URL) and an agency's other LRS (a
coordinator's setting) are fetched only through `request()`. It:

- takes http and https URLs only, with a host and no user:password part;
- resolves the host and refuses the request if any address found is one Muster
  must not reach from outside (`refusal()`: loopback, private, link-local and
  cloud metadata, shared, multicast, unspecified, documentation and reserved
  ranges), then connects to that same checked address, so a second DNS answer
  cannot swap it (TLS still checks the certificate against the host name);
- follows at most MAX_REDIRECTS redirects, and only of a GET, each checked
  anew, never from https to http, and without the Authorization header once
  the redirect leaves the first origin;
- gives up after `timeout` seconds for the whole request and refuses bodies over
  `max_bytes`; asks for no compression;
- raises OutboundError naming the URL and the reason, never what came back.

MUSTER_OUTBOUND_ALLOW_LOOPBACK (off by default) lets development and the tests
reach test doubles on 127.0.0.1 and ::1. Nothing allows the private ranges.

Proxies from the environment (HTTPS_PROXY) are not used: the check is of the
address Muster itself connects to.

Tests replace `resolve` (a fake DNS) and, for in-process doubles, `exchange`
(the one connection); see muster/lti/tests/platform.py.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json as jsonlib
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlencode, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

TIMEOUT_SECONDS = 10
MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)

# IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and the RFCs
# named), as the reason each range is refused. IPv6 is allowed only inside the
# global unicast block 2000::/3 (RFC 4291 2.4), less the ranges listed.
_V4_REFUSED = [
    ("0.0.0.0/8", "unspecified ('this network', RFC 1122)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared carrier-grade NAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback (RFC 1122)"),
    ("169.254.0.0/16", "link-local, where cloud metadata lives (RFC 3927)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "reserved for IETF protocol assignments (RFC 6890)"),
    ("192.0.2.0/24", "reserved for documentation (RFC 5737)"),
    ("192.88.99.0/24", "reserved, the former 6to4 relay (RFC 7526)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "reserved for benchmarking (RFC 2544)"),
    ("198.51.100.0/24", "reserved for documentation (RFC 5737)"),
    ("203.0.113.0/24", "reserved for documentation (RFC 5737)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    ("240.0.0.0/4", "reserved (RFC 1112), with broadcast"),
]
_V6_REFUSED = [
    ("::/128", "unspecified (RFC 4291)"),
    ("::1/128", "loopback (RFC 4291)"),
    ("fc00::/7", "private, unique local (RFC 4193)"),
    ("fe80::/10", "link-local (RFC 4291)"),
    ("ff00::/8", "multicast (RFC 4291)"),
    ("2001::/23", "reserved for IETF protocol assignments, Teredo (RFC 2928)"),
    ("2001:db8::/32", "reserved for documentation (RFC 3849)"),
    ("2002::/16", "reserved, 6to4 (RFC 7526)"),
    ("3fff::/20", "reserved for documentation (RFC 9637)"),
]
_V4 = [(ipaddress.ip_network(n), why) for n, why in _V4_REFUSED]
_V6 = [(ipaddress.ip_network(n), why) for n, why in _V6_REFUSED]
_V6_GLOBAL = ipaddress.ip_network("2000::/3")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: an IPv4 address inside
_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


class OutboundError(Exception):
    """A request refused or failed; the message names the URL and why."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass
class Response:
    url: str
    status: int
    headers: Message
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self):
        """The body as JSON; ValueError if it is not."""
        return jsonlib.loads(self.body)


@dataclass(frozen=True)
class Outgoing:
    """One checked request, for `exchange`: `address` is where to connect."""

    method: str
    url: str
    scheme: str
    host: str
    port: int
    address: str
    target: str  # path and query, as sent in the request line
    headers: dict = field(default_factory=dict)
    body: bytes | None = None


def refusal(address: str) -> str | None:
    """Why Muster must not connect to `address`, or None if it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    elif ip.version == 6 and ip in _NAT64:
        ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    loopback = any(ip in net for net in _LOOPBACK if net.version == ip.version)
    if loopback and settings.OUTBOUND_ALLOW_LOOPBACK:
        return None
    for network, why in _V4 if ip.version == 4 else _V6:
        if ip in network:
            return f"{ip} is a {why} address"
    if ip.version == 6 and ip not in _V6_GLOBAL:
        return f"{ip} is a reserved address (outside 2000::/3, RFC 4291)"
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` has (tests replace this with a fake DNS)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(sockaddr[0] for *_, sockaddr in found))


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]  # a literal needs no DNS
    except ValueError:
        return resolve(host, port)


def url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched (its form, or an address it resolves to that is
    refused), or None. For forms: a name that does not resolve yet is no problem
    here; fetching it will say so."""
    try:
        _, host, port = _parts(url)
        addresses = _addresses(host, port)
    except OutboundError as error:
        return error.reason
    except (OSError, UnicodeError):
        return None
    for address in addresses:
        why = refusal(address)
        if why:
            return f"{host} resolves to {why}; Muster does not connect there"
    return None


def validate_url(value: str) -> None:
    """A form field's validator: ValidationError saying why `value` is refused."""
    why = url_problem(value)
    if why:
        raise ValidationError(
            f"Muster will not send requests to this address: {why}.", code="outbound"
        )


def request(
    method: str,
    url: str,
    *,
    headers: dict | None = None,
    json=None,
    form: dict | None = None,
    body: bytes | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
) -> Response:
    """Send one request through the checks above; the answer, whatever its status."""
    headers = dict(headers or {})
    if json is not None:
        body = jsonlib.dumps(json).encode()
        headers.setdefault("Content-Type", "application/json")
    elif form is not None:
        body = urlencode(form).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    deadline = time.monotonic() + timeout
    first_origin = _origin(url)
    for hop in range(MAX_REDIRECTS + 1):
        response = _one(method, url, headers, body, deadline, max_bytes)
        if method != "GET" or response.status not in REDIRECTS:
            return response
        location = response.headers.get("Location")
        if not location:
            return response
        if hop == MAX_REDIRECTS:
            raise OutboundError(url, f"more than {MAX_REDIRECTS} redirects")
        following = urljoin(url, location)
        if urlsplit(url).scheme == "https" and urlsplit(following).scheme != "https":
            raise OutboundError(url, f"redirects from https to {following[:200]}")
        if _origin(following) != first_origin:  # (also checks its form)
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        url = following
    raise AssertionError("unreachable")  # pragma: no cover


def _parts(url: str):
    """(the URL's parts, host, port), or OutboundError on a URL not fetched."""
    if any(c in url for c in "\\\r\n\t ") or not url.isprintable():
        raise OutboundError(url[:200], "not a plain URL (spaces or control characters)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundError(url, "only http and https addresses are fetched")
    if not parts.hostname:
        raise OutboundError(url, "no host")
    if "@" in parts.netloc:
        raise OutboundError(url, "a user name or password in the address is refused")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OutboundError(url, "the port is not a number up to 65535") from None
    return parts, parts.hostname, port


def _origin(url: str) -> tuple:
    parts, host, port = _parts(url)
    return parts.scheme, host, port


def _one(method, url, headers, body, deadline, max_bytes) -> Response:
    parts, host, port = _parts(url)
    try:
        addresses = _addresses(host, port)
    except (OSError, UnicodeError) as error:
        raise OutboundError(url, f"{host} could not be resolved ({error})") from None
    if not addresses:
        raise OutboundError(url, f"{host} has no address")
    for address in addresses:
        why = refusal(address)
        if why:
            raise OutboundError(url, f"{host} resolves to {why}; not connected")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    outgoing = Outgoing(
        method=method,
        url=url,
        scheme=parts.scheme,
        host=host,
        port=port,
        address=addresses[0],
        target=target,
        headers=headers,
        body=body,
    )
    return exchange(outgoing, deadline, max_bytes)


def open_socket(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to the checked address (tests watch what it is given)."""
    return socket.create_connection((address, port), timeout=timeout)


class _Connection(http.client.HTTPConnection):
    def __init__(self, outgoing: Outgoing, timeout: float) -> None:
        super().__init__(outgoing.host, outgoing.port, timeout=timeout)
        self.outgoing = outgoing

    kept = None

    def connect(self) -> None:
        self.sock = open_socket(self.outgoing.address, self.port, self.timeout)
        if self.outgoing.scheme == "https":
            context = ssl.create_default_context(cafile=_ca_file())
            # Certificate and name checked against the host, not the address.
            self.sock = context.wrap_socket(self.sock, server_hostname=self.host)
        # http.client lets go of `sock` once the answer is to end the
        # connection; the deadline still needs it.
        self.kept = self.sock


def _ca_file() -> str | None:
    try:
        import certifi
    except ImportError:  # pragma: no cover
        return None
    return certifi.where()


def exchange(outgoing: Outgoing, deadline: float, max_bytes: int) -> Response:
    """Send `outgoing` on one connection to its checked address; read the answer."""
    url = outgoing.url
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise OutboundError(url, "timed out")
    connection = _Connection(outgoing, remaining)
    # The socket's timeout bounds each wait; this bounds the whole exchange.
    timer = threading.Timer(remaining, _cut, [connection])
    timer.daemon = True
    timer.start()
    try:
        connection.request(
            outgoing.method, outgoing.target, body=outgoing.body, headers=outgoing.headers
        )
        answer = connection.getresponse()
        length = answer.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise OutboundError(url, f"the answer is over {max_bytes} bytes")
        chunks, size = [], 0
        while chunk := answer.read(65536):
            size += len(chunk)
            if size > max_bytes:
                raise OutboundError(url, f"the answer is over {max_bytes} bytes")
            chunks.append(chunk)
        if time.monotonic() >= deadline:
            raise OutboundError(url, "timed out")
        if length and length.isdigit() and size < int(length):
            raise OutboundError(url, "the answer was cut short")
        return Response(url, answer.status, answer.headers, b"".join(chunks))
    except OutboundError:
        raise
    except ssl.SSLError as error:
        raise OutboundError(url, f"TLS failed ({error.reason or error})") from None
    except (OSError, http.client.HTTPException) as error:
        if time.monotonic() >= deadline:
            raise OutboundError(url, "timed out") from None
        if isinstance(error, OSError):
            reason = error.strerror or type(error).__name__
        else:  # its text would quote the answer: only its kind
            reason = f"not an HTTP answer, {type(error).__name__}"
        raise OutboundError(url, f"could not be reached ({reason})") from None
    finally:
        timer.cancel()
        connection.close()


def _cut(connection: _Connection) -> None:
    """At the deadline: end the connection under whatever is reading it."""
    if connection.kept is not None:
        with contextlib.suppress(OSError):
            # The plain socket's shutdown, under any TLS layer: reads see the end.
            socket.socket.shutdown(connection.kept, socket.SHUT_RDWR)
