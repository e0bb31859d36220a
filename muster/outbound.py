"""Every HTTP request Muster makes to an address someone else gave it.

LTI platforms (their configuration, JWKS, token, score and roster endpoints,
all named by whoever holds a registration URL) and an agency's other LRS (a
coordinator's setting) are fetched only through `request()`. It:

- takes http and https URLs only, with a host and no user:password part;
- resolves the host, waiting at most DNS_TIMEOUT_SECONDS (within the
  request's own bound), and refuses the request if any address found is one
  Muster must not reach from outside (`refusal()`: loopback, private,
  link-local and cloud metadata, shared, multicast, unspecified, documentation
  and reserved ranges), then connects to those same checked addresses, the
  first and, when it cannot be connected to, the next in turn, so a second DNS
  answer cannot swap them (TLS still checks the certificate against the host
  name);
- through the proxy the environment names (HTTPS_PROXY for https URLs,
  HTTP_PROXY for http, lower case first; none for a host NO_PROXY lists), asks
  the proxy for a CONNECT tunnel to the checked address, never to the host
  name, so the proxy cannot resolve it to somewhere else, and speaks HTTP (and
  TLS, verified against the host name) through it. The proxy's own address is
  the operator's setting and is not checked;
- follows at most MAX_REDIRECTS redirects, and only of a GET, each checked
  anew, never from https to http, and without the Authorization header once
  the redirect leaves the first origin;
- gives up after `timeout` seconds for the whole request and refuses bodies over
  `max_bytes`; asks for no compression;
- raises OutboundError naming the URL and the reason, never what came back.

MUSTER_OUTBOUND_ALLOW_LOOPBACK (off by default) lets development and the tests
reach test doubles on 127.0.0.1 and ::1. Nothing allows the private ranges.

Tests replace `resolve` (a fake DNS) and, for in-process doubles, `exchange`
(the one connection); see muster/lti/tests/platform.py.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import ipaddress
import json as jsonlib
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import unquote, urlencode, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

TIMEOUT_SECONDS = 10
# A name lookup is the system resolver's, which no socket timeout bounds; it
# runs in a thread of its own and is given up after this (or the request's end).
DNS_TIMEOUT_SECONDS = 5
# Lookups given up on still hold their thread until the resolver returns: at
# most this many at once, so a resolver that hangs cannot pile up threads.
MAX_PENDING_LOOKUPS = 8
MAX_PROXY_ANSWER = 8192
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


class _NotConnected(OSError):
    """This address could not be connected to (directly, or by the proxy): the
    next one may be."""


class _ProxyFailed(OSError):
    """The proxy itself could not be used: no other address of the target helps."""


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
    addresses: tuple[str, ...]  # checked, tried in this order
    target: str  # path and query, as sent in the request line
    headers: dict = field(default_factory=dict)
    body: bytes | None = None
    proxy: Proxy | None = None

    @property
    def address(self) -> str:
        """The address tried first."""
        return self.addresses[0]


@dataclass(frozen=True)
class Proxy:
    """An HTTP proxy from the environment, asked for CONNECT tunnels."""

    host: str
    port: int
    authorization: str = ""  # the Proxy-Authorization value, from user:password@

    def __str__(self) -> str:  # never the credentials
        return f"{self.host}:{self.port}"


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


_pending_lookups = threading.BoundedSemaphore(MAX_PENDING_LOOKUPS)


def _resolve_within(host: str, port: int, seconds: float) -> list[str]:
    """`resolve`, given up after `seconds` (TimeoutError): the lookup goes on in
    its daemon thread, whose answer is then dropped."""
    started = time.monotonic()
    pending = _pending_lookups  # the one this lookup holds, released by it
    if not pending.acquire(timeout=max(seconds, 0)):
        raise TimeoutError("too many name lookups still pending")
    answer: dict = {}
    done = threading.Event()

    def look_up() -> None:
        try:
            answer["addresses"] = resolve(host, port)
        except Exception as error:  # handed to the caller
            answer["error"] = error
        finally:
            pending.release()
            done.set()

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    if not done.wait(max(seconds - (time.monotonic() - started), 0)):
        raise TimeoutError(f"no answer within {seconds:.2g} s")
    if "error" in answer:
        raise answer["error"]
    return answer["addresses"]


def _addresses(host: str, port: int, seconds: float = DNS_TIMEOUT_SECONDS) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]  # a literal needs no DNS
    except ValueError:
        return _resolve_within(host, port, min(seconds, DNS_TIMEOUT_SECONDS))


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
        addresses = _addresses(host, port, deadline - time.monotonic())
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
        addresses=tuple(addresses),
        target=target,
        headers=headers,
        body=body,
        proxy=proxy_for(url, parts.scheme, host),
    )
    return exchange(outgoing, deadline, max_bytes)


# --- Proxies from the environment ----------------------------------------------


def proxy_for(url: str, scheme: str, host: str) -> Proxy | None:
    """The proxy the environment names for a request to `host` by `scheme`, or
    None (none set, or NO_PROXY lists the host)."""
    name = f"{scheme}_proxy"
    setting = os.environ.get(name) or os.environ.get(name.upper())
    if not setting or _bypassed(host):
        return None
    return _parse_proxy(url, name.upper(), setting)


def _bypassed(host: str) -> bool:
    """Whether NO_PROXY (as curl reads it) lists `host`: `*` for every host, a
    domain for itself and its subdomains (a leading dot or none), an address
    or an address range (`10.0.0.0/8`) for a host given as an address."""
    setting = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    host = host.lower().rstrip(".")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    for entry in setting.replace(" ", ",").split(","):
        entry = entry.strip().lower()
        if entry == "*":
            return True
        if entry.startswith("[") and "]" in entry:  # [::1]:8080
            entry = entry[1 : entry.index("]")]
        elif entry.count(":") == 1:  # host:port: the port is not compared
            entry = entry.split(":", 1)[0]
        entry = entry.lstrip(".").rstrip(".")
        if not entry:
            continue
        if literal is not None:
            try:
                if literal in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
        elif host == entry or host.endswith("." + entry):
            return True
    return False


def _parse_proxy(url: str, name: str, setting: str) -> Proxy:
    """The proxy `setting` names; OutboundError (naming the variable, not its
    credentials) if it is not an http:// proxy Muster can use."""
    parts = urlsplit(setting if "://" in setting else f"http://{setting}")
    if parts.scheme != "http":
        raise OutboundError(
            url, f"{name} is not an http:// proxy ({parts.scheme}:// is not used)"
        )
    try:
        port = parts.port or 80
    except ValueError:
        raise OutboundError(url, f"{name} has a port that is not a number") from None
    if not parts.hostname:
        raise OutboundError(url, f"{name} names no proxy host")
    authorization = ""
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode()
    return Proxy(parts.hostname, port, authorization)


def _tunnel(proxy: Proxy, address: str, port: int, deadline: float) -> socket.socket:
    """A connection through `proxy` to the checked `address` (CONNECT with the
    address, not the name: the proxy resolves nothing). _NotConnected when the
    proxy could not reach it (502, 503, 504): the next address may do."""
    seconds = deadline - time.monotonic()
    try:
        proxy_addresses = _addresses(proxy.host, proxy.port, seconds)
    except (OSError, UnicodeError) as error:
        raise _ProxyFailed(
            None, f"the proxy {proxy} could not be resolved ({error})"
        ) from None
    try:
        sock = _connect_first(proxy_addresses, proxy.port, deadline, _direct)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise _ProxyFailed(
            None, f"the proxy {proxy} could not be reached ({reason})"
        ) from None
    target = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.authorization:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        status = _proxy_status(sock)
    except TimeoutError:
        sock.close()  # still connecting, perhaps to an address that never answers
        raise _NotConnected(None, f"no tunnel to {target} in time") from None
    except OSError as error:
        sock.close()
        reason = error.strerror or type(error).__name__
        raise _ProxyFailed(None, f"the proxy {proxy} failed ({reason})") from None
    if status == 200:
        return sock
    sock.close()
    if status in (502, 503, 504):
        raise _NotConnected(None, f"the proxy could not reach {target} (HTTP {status})")
    raise _ProxyFailed(
        None, f"the proxy {proxy} refused a tunnel to {target} (HTTP {status})"
    )


def _proxy_status(sock: socket.socket) -> int:
    """The status of the proxy's answer to CONNECT, its header read up to the
    blank line and no further (what follows is the target's)."""
    head = b""
    while b"\r\n\r\n" not in head:
        if len(head) >= MAX_PROXY_ANSWER:
            raise OSError(None, "the proxy's answer to CONNECT is too long")
        peeked = sock.recv(MAX_PROXY_ANSWER - len(head), socket.MSG_PEEK)
        if not peeked:
            raise OSError(None, "the proxy closed the connection")
        end = (head + peeked).find(b"\r\n\r\n")
        take = len(peeked) if end < 0 else end + 4 - len(head)
        head += sock.recv(take)
    status_line = head.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1."):
        raise OSError(None, "the proxy's answer to CONNECT is not HTTP")
    try:
        return int(status_line[1])
    except ValueError:
        raise OSError(None, "the proxy's answer to CONNECT is not HTTP") from None


# --- Connections ---------------------------------------------------------------


def _direct(address: str, port: int, deadline: float) -> socket.socket:
    return open_socket(address, port, max(deadline - time.monotonic(), 0.001))


def _connect_first(addresses, port: int, deadline: float, connect) -> socket.socket:
    """`connect(address, port, its_deadline)` to each address in turn until one
    connects; the time left is shared among the addresses not yet tried, so one
    that never answers leaves the others theirs. The last failure otherwise."""
    failures: list[OSError] = []
    for index, address in enumerate(addresses):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            return connect(
                address, port, time.monotonic() + left / (len(addresses) - index)
            )
        except _ProxyFailed:
            raise  # the proxy's own failure: no other address helps
        except _NotConnected as error:
            failures.append(error)
        except OSError as error:  # refused, unreachable, timed out
            reason = error.strerror or type(error).__name__
            failures.append(_NotConnected(None, reason))
    if not failures:
        raise TimeoutError(None, "timed out")  # (the caller names it so)
    if len(failures) == 1:
        raise failures[0]
    raise _NotConnected(
        None, f"{failures[-1].strerror}; each of {len(failures)} addresses tried"
    )


def open_socket(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to the checked address (tests watch what it is given)."""
    return socket.create_connection((address, port), timeout=timeout)


class _Connection(http.client.HTTPConnection):
    def __init__(self, outgoing: Outgoing, deadline: float) -> None:
        timeout = deadline - time.monotonic()
        super().__init__(outgoing.host, outgoing.port, timeout=timeout)
        self.outgoing = outgoing
        self.deadline = deadline
        if outgoing.scheme == "https":
            # So that the Host header of an https request to 443 names no port.
            self.default_port = 443

    kept = None

    def connect(self) -> None:
        outgoing = self.outgoing
        if outgoing.proxy is None:
            connect = _direct
        else:

            def connect(address, port, deadline):
                return _tunnel(outgoing.proxy, address, port, deadline)

        self.sock = _connect_first(
            outgoing.addresses, self.port, self.deadline, connect
        )
        # Each try had its share of the time; the exchange has what is left.
        self.sock.settimeout(max(self.deadline - time.monotonic(), 0.001))
        self.kept = self.sock
        if outgoing.scheme == "https":
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
    connection = _Connection(outgoing, deadline)
    # The socket's timeout bounds each wait; this bounds the whole exchange.
    timer = threading.Timer(remaining, _cut, [connection])
    timer.daemon = True
    timer.start()
    try:
        connection.request(
            outgoing.method,
            outgoing.target,
            body=outgoing.body,
            headers=outgoing.headers,
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
