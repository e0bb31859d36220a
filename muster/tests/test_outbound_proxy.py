"""muster/outbound.py through an environment proxy (a CONNECT tunnel to the
checked address), NO_PROXY, the bound on name lookups, and the next address
tried when one cannot be connected to.

The proxy is a small CONNECT proxy on 127.0.0.1 that records what it is asked
and tunnels every request to the local test server, whatever address it names.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import socketserver
import threading
from unittest import mock

import pytest

from muster import outbound
from muster.tests.test_outbound import (  # noqa: F401 (fixtures)
    PUBLIC,
    Handler,
    dns,
    server,
    sockets_to,
    tls_server,
)

OTHER_PUBLIC = "8.8.4.4"


class Proxy(socketserver.ThreadingTCPServer):
    """Answers CONNECT: `answers` maps a target ("addr:port") to a status to
    refuse with; every other target is tunnelled to `upstream` on 127.0.0.1."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: int) -> None:
        super().__init__(("127.0.0.1", 0), _Tunnel)
        self.upstream = upstream
        self.seen: list[dict] = []
        self.answers: dict[str, int] = {}


class _Tunnel(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(1024)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
        method, target, _ = lines[0].split(" ")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        self.server.seen.append({"method": method, "target": target, **headers})
        status = self.server.answers.get(target)
        if method != "CONNECT" or status:
            self.request.sendall(f"HTTP/1.1 {status or 405} No\r\n\r\n".encode())
            return
        upstream = socket.create_connection(("127.0.0.1", self.server.upstream))
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(
            target=_pipe, args=(upstream, self.request), daemon=True
        ).start()
        _pipe(self.request, upstream)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _serve(httpd):
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch):
    for name in ("http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def proxy(server):  # noqa: F811
    httpd = _serve(Proxy(server))
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def tls_proxy(tls_server):  # noqa: F811
    httpd = _serve(Proxy(tls_server))
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def at(httpd) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def no_direct_connection():
    """Every connection Muster opens is to the proxy (127.0.0.1) only."""
    real = outbound.open_socket
    asked = []

    def open_socket(address, port, timeout):
        asked.append(address)
        assert address == "127.0.0.1", f"a direct connection to {address}"
        return real(address, port, timeout)

    patcher = mock.patch.object(outbound, "open_socket", open_socket)
    patcher.asked = asked
    return patcher


# --- Through the proxy ---------------------------------------------------------


def test_https_goes_through_a_tunnel_to_the_checked_address(tls_proxy, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", at(tls_proxy))
    with dns({"lrs.example.test": [PUBLIC]}), no_direct_connection():
        response = outbound.request("GET", "https://lrs.example.test/ok?x=1")
    assert response.json() == {"ok": True}
    [connect] = tls_proxy.seen
    # The address Muster checked, never the name: the proxy resolves nothing.
    assert (connect["method"], connect["target"]) == ("CONNECT", f"{PUBLIC}:443")
    assert Handler.seen[0]["path"] == "/ok?x=1"
    assert Handler.seen[0]["headers"]["Host"] == "lrs.example.test"


def test_tls_through_the_tunnel_is_checked_against_the_host(tls_proxy, monkeypatch):
    monkeypatch.setenv("https_proxy", at(tls_proxy))
    with (
        dns({"other.example.test": [PUBLIC]}),
        pytest.raises(outbound.OutboundError, match="TLS failed"),
    ):
        outbound.request("GET", "https://other.example.test/ok")


def test_http_goes_through_a_tunnel_too(proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", at(proxy))
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # not for http URLs
    with dns({"lrs.example.test": [PUBLIC]}), no_direct_connection():
        response = outbound.request("POST", "http://lrs.example.test/ok", json={})
    assert response.status == 200
    assert [s["target"] for s in proxy.seen] == [f"{PUBLIC}:80"]
    assert Handler.seen[0]["headers"]["Host"] == "lrs.example.test"


def test_an_internal_address_is_refused_before_the_proxy_is_asked(proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", at(proxy))
    names = {"lms.example.test": [PUBLIC], "inside.example.test": ["10.0.0.7"]}
    with (
        dns(names),
        pytest.raises(outbound.OutboundError, match="10.0.0.7 is a private"),
    ):
        outbound.request("GET", "http://inside.example.test/")
    assert proxy.seen == []
    # A redirect is checked hop by hop as without a proxy.
    metadata = "http://169.254.169.254/latest/meta-data/"
    with dns(names), pytest.raises(outbound.OutboundError, match="link-local"):
        outbound.request("GET", f"http://lms.example.test/to?{metadata}")
    assert [s["target"] for s in proxy.seen] == [f"{PUBLIC}:80"]
    # A literal internal address in the URL too.
    with pytest.raises(outbound.OutboundError, match="loopback"):
        outbound.request("GET", f"http://127.0.0.1:{proxy.upstream}/ok")
    assert len(proxy.seen) == 1


def test_the_next_address_is_tried_when_the_proxy_cannot_reach_one(proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", at(proxy))
    proxy.answers[f"{PUBLIC}:80"] = 502
    with dns({"lrs.example.test": [PUBLIC, OTHER_PUBLIC]}):
        response = outbound.request("GET", "http://lrs.example.test/ok")
    assert response.status == 200
    assert [s["target"] for s in proxy.seen] == [f"{PUBLIC}:80", f"{OTHER_PUBLIC}:80"]


def test_a_proxy_refusing_the_tunnel_is_named_and_no_other_address_tried(
    proxy, monkeypatch
):
    monkeypatch.setenv("HTTP_PROXY", at(proxy))
    proxy.answers[f"{PUBLIC}:80"] = 403
    with (
        dns({"lrs.example.test": [PUBLIC, OTHER_PUBLIC]}),
        pytest.raises(outbound.OutboundError) as failed,
    ):
        outbound.request("GET", "http://lrs.example.test/ok")
    port = proxy.server_address[1]
    assert str(failed.value) == (
        "http://lrs.example.test/ok: could not be reached (the proxy "
        f"127.0.0.1:{port} refused a tunnel to {PUBLIC}:80 (HTTP 403))"
    )
    assert len(proxy.seen) == 1


def test_proxy_credentials_are_sent_and_never_shown(proxy, monkeypatch):
    monkeypatch.setenv(
        "HTTP_PROXY", f"http://muster:s%40cret@127.0.0.1:{proxy.server_address[1]}"
    )
    with dns({"lrs.example.test": [PUBLIC]}):
        outbound.request("GET", "http://lrs.example.test/ok")
    expected = "Basic " + base64.b64encode(b"muster:s@cret").decode()
    assert proxy.seen[0]["Proxy-Authorization"] == expected
    # Nor does the target see them.
    assert "Proxy-Authorization" not in Handler.seen[0]["headers"]
    proxy.answers[f"{PUBLIC}:80"] = 407
    with (
        dns({"lrs.example.test": [PUBLIC]}),
        pytest.raises(outbound.OutboundError) as failed,
    ):
        outbound.request("GET", "http://lrs.example.test/ok")
    assert "HTTP 407" in str(failed.value)
    assert "cret" not in str(failed.value) and "muster:" not in str(failed.value)


def test_a_proxy_not_listening_is_named(monkeypatch):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"127.0.0.1:{port}")  # no scheme: http
    with (
        dns({"lrs.example.test": [PUBLIC]}),
        pytest.raises(outbound.OutboundError) as failed,
    ):
        outbound.request("GET", "https://lrs.example.test/")
    assert str(failed.value) == (
        "https://lrs.example.test/: could not be reached (the proxy "
        f"127.0.0.1:{port} could not be reached (Connection refused))"
    )


@pytest.mark.parametrize(
    "setting,reason",
    [
        ("https://proxy.example.test:3128", "not an http:// proxy"),
        ("socks5://u:pw@proxy.example.test:1080", "not an http:// proxy"),
        ("http://proxy.example.test:99999", "port that is not a number"),
    ],
)
def test_a_proxy_setting_muster_cannot_use_is_an_error(monkeypatch, setting, reason):
    monkeypatch.setenv("HTTPS_PROXY", setting)
    with (
        dns({"lrs.example.test": [PUBLIC]}),
        mock.patch.object(outbound, "open_socket") as open_socket,
        pytest.raises(outbound.OutboundError, match=reason) as failed,
    ):
        outbound.request("GET", "https://lrs.example.test/")
    assert not open_socket.called
    assert "pw" not in str(failed.value)


# --- NO_PROXY ------------------------------------------------------------------


@pytest.mark.parametrize(
    "no_proxy,host,direct",
    [
        ("example.test", "lrs.example.test", True),
        (".example.test", "lrs.example.test", True),
        ("lrs.example.test", "lrs.example.test", True),
        ("LRS.Example.Test:443", "lrs.example.test", True),
        ("other.test, example.test", "lrs.example.test", True),
        ("*", "lrs.example.test", True),
        ("example.test", "lrs.notexample.test", False),
        ("lrs.example.test", "example.test", False),
        ("93.184.215.0/24", "93.184.215.14", True),
        ("93.184.215.14", "93.184.215.14", True),
        ("93.184.216.0/24", "93.184.215.14", False),
        ("", "lrs.example.test", False),
    ],
)
def test_no_proxy_lists_hosts_reached_directly(monkeypatch, no_proxy, host, direct):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    proxy = outbound.proxy_for(f"https://{host}/", "https", host)
    assert (proxy is None) is direct
    if not direct:
        assert (proxy.host, proxy.port) == ("proxy.example.test", 3128)


def test_a_host_no_proxy_lists_is_connected_to_directly(proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", at(proxy))
    monkeypatch.setenv("no_proxy", "direct.example.test")
    watch = sockets_to(proxy.upstream)
    with dns({"direct.example.test": [PUBLIC]}), watch:
        outbound.request("GET", "http://direct.example.test/ok")
    assert watch.asked == [(PUBLIC, 80)] and proxy.seen == []


# --- Name lookups, bounded -----------------------------------------------------


def hanging_dns():
    """A resolver that answers only once released (the test releases it)."""
    release = threading.Event()

    def resolve(host, port):
        release.wait(30)
        return [PUBLIC]

    return mock.patch.object(outbound, "resolve", resolve), release


def test_a_name_lookup_that_does_not_answer_is_given_up(monkeypatch):
    monkeypatch.setattr(outbound, "DNS_TIMEOUT_SECONDS", 0.2)
    fake, release = hanging_dns()
    try:
        with (
            fake,
            mock.patch.object(outbound, "open_socket") as open_socket,
            pytest.raises(outbound.OutboundError) as failed,
        ):
            outbound.request("GET", "https://slow-dns.example.test/", timeout=10)
        assert str(failed.value) == (
            "https://slow-dns.example.test/: slow-dns.example.test could not be "
            "resolved (no answer within 0.2 s)"
        )
        assert not open_socket.called
        # A form leaves a name that does not resolve in time to the send.
        with fake:
            assert outbound.url_problem("https://slow-dns.example.test/") is None
    finally:
        release.set()


def test_the_lookup_gets_no_more_than_the_request_has_left(monkeypatch):
    fake, release = hanging_dns()
    try:
        with fake, pytest.raises(outbound.OutboundError, match="within 0.3 s"):
            outbound.request("GET", "https://slow-dns.example.test/", timeout=0.3)
    finally:
        release.set()


def test_lookups_given_up_on_are_bounded_in_number(monkeypatch):
    monkeypatch.setattr(outbound, "DNS_TIMEOUT_SECONDS", 0.05)
    monkeypatch.setattr(outbound, "_pending_lookups", threading.BoundedSemaphore(2))
    fake, release = hanging_dns()
    try:
        with fake:
            for _ in range(2):
                with pytest.raises(outbound.OutboundError, match="no answer within"):
                    outbound.request("GET", "https://slow-dns.example.test/")
            with pytest.raises(
                outbound.OutboundError, match="too many name lookups still pending"
            ):
                outbound.request("GET", "https://slow-dns.example.test/")
    finally:
        release.set()


def test_a_lookup_error_is_named():
    with (
        dns({}),
        pytest.raises(
            outbound.OutboundError, match="could not be resolved .Name or service"
        ),
    ):
        outbound.request("GET", "https://unknown.example.test/")


# --- The next address ------------------------------------------------------------


def test_the_next_address_is_tried_when_the_first_cannot_be_connected_to(server):  # noqa: F811
    real = outbound.open_socket
    asked = []

    def open_socket(address, port, timeout):
        asked.append((address, timeout))
        if address == PUBLIC:
            raise ConnectionRefusedError(111, "Connection refused")
        return real("127.0.0.1", server, timeout)

    with (
        dns({"lrs.example.test": [PUBLIC, OTHER_PUBLIC]}),
        mock.patch.object(outbound, "open_socket", open_socket),
    ):
        response = outbound.request("GET", "http://lrs.example.test/ok", timeout=8)
    assert response.json() == {"ok": True}
    assert [address for address, _ in asked] == [PUBLIC, OTHER_PUBLIC]
    # The first had half the time, so one that never answers leaves the next its share.
    assert asked[0][1] <= 4


def test_every_address_failing_is_said_once():
    refused = ConnectionRefusedError(111, "Connection refused")
    with (
        dns({"lrs.example.test": [PUBLIC, OTHER_PUBLIC, "2606:4700::1"]}),
        mock.patch.object(outbound, "open_socket", side_effect=refused) as open_socket,
        pytest.raises(outbound.OutboundError) as failed,
    ):
        outbound.request("GET", "https://lrs.example.test/")
    assert open_socket.call_count == 3
    assert str(failed.value) == (
        "https://lrs.example.test/: could not be reached (Connection refused; "
        "each of 3 addresses tried)"
    )


def test_a_tls_failure_is_not_retried_at_the_next_address(tls_server):  # noqa: F811
    watch = sockets_to(tls_server)
    with (
        dns({"other.example.test": [PUBLIC, OTHER_PUBLIC]}),
        watch,
        pytest.raises(outbound.OutboundError, match="TLS failed"),
    ):
        outbound.request("GET", "https://other.example.test/ok")
    assert watch.asked == [(PUBLIC, 443)]
