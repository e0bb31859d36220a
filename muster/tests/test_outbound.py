"""muster/outbound.py: the one way Muster sends requests to addresses it is given.

Real sockets against a small HTTP server on 127.0.0.1; other hosts by a fake
DNS (`outbound.resolve` replaced) and, where the test says so, a connection
sent to that server while recording the address Muster asked for.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.test import SimpleTestCase, override_settings

from muster import outbound
from muster.lti import http as lti_http
from muster.xapi.forms import ForwardForm

SECRET_BODY = "ami-id instance-id iam/security-credentials/muster-role TOKEN-7f3a"
PUBLIC = "93.184.215.14"


class Handler(BaseHTTPRequestHandler):
    """Answers by path: /ok, /secret (500 with SECRET_BODY), /to?url (302),
    /slow (headers, then nothing), /big (over the size bound)."""

    seen: list[dict] = []

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        self.seen.append({"path": self.path, "headers": dict(self.headers)})
        if self.path.startswith("/to?"):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/to?"))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/secret":
            self._answer(500, SECRET_BODY.encode())
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(30):
                time.sleep(0.1)
                self.wfile.write(b"x")
                self.wfile.flush()
        elif self.path == "/big":
            self.send_response(200)
            self.end_headers()  # no Content-Length: only reading finds out
            self.wfile.write(b"x" * 5000)
        else:
            self._answer(200, b'{"ok": true}')

    do_POST = do_GET  # noqa: N815

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def dns(names: dict[str, list[str]]):
    calls = []

    def resolve(host, port):
        calls.append(host)
        if host not in names:
            raise OSError("Name or service not known")
        return names[host]

    patcher = mock.patch.object(outbound, "resolve", resolve)
    patcher.calls = calls
    return patcher


def sockets_to(port: int):
    """Every connection goes to the local server; the addresses asked are kept."""
    asked = []
    real = outbound.open_socket

    def open_socket(address, wanted_port, timeout):
        asked.append((address, wanted_port))
        return real("127.0.0.1", port, timeout)

    patcher = mock.patch.object(outbound, "open_socket", open_socket)
    patcher.asked = asked
    return patcher


REFUSED = {
    "127.0.0.1": "loopback",
    "127.9.9.9": "loopback",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "172.31.255.255": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",
    "100.100.100.200": "shared carrier-grade NAT",
    "0.0.0.0": "unspecified",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "reserved",
    "192.0.2.1": "documentation",
    "198.18.0.1": "benchmarking",
    "192.0.0.170": "IETF",
    "::1": "loopback",
    "::": "unspecified",
    "fc00::1": "private, unique local",
    "fd12:3456::1": "private, unique local",
    "fe80::1": "link-local",
    "fe80::1%eth0": "link-local",
    "ff02::1": "multicast",
    "fec0::1": "reserved",
    "::ffff:127.0.0.1": "loopback",
    "::ffff:169.254.169.254": "link-local",
    "::ffff:10.0.0.1": "private",
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 of 169.254.169.254
    "::127.0.0.1": "reserved",  # IPv4-compatible: outside 2000::/3
    "2001:db8::1": "documentation",
    "2001:0::1": "Teredo",
    "2002:7f00:1::1": "6to4",
    "100::1": "reserved",
}


@pytest.mark.parametrize("address,kind", REFUSED.items())
def test_each_refused_address_class_is_named(address, kind):
    why = outbound.refusal(address)
    assert why is not None and kind in why


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700::1111", "2a00::1"])
def test_public_addresses_are_allowed(address):
    assert outbound.refusal(address) is None


@override_settings(OUTBOUND_ALLOW_LOOPBACK=True)
def test_the_loopback_setting_allows_loopback_and_nothing_else():
    assert outbound.refusal("127.0.0.1") is None
    assert outbound.refusal("::1") is None
    assert outbound.refusal("::ffff:127.0.0.1") is None
    for address in ("10.0.0.1", "169.254.169.254", "fc00::1", "192.168.0.1", "0.0.0.0"):
        assert outbound.refusal(address), address


def test_the_setting_is_off_by_default():
    from django.conf import settings

    assert settings.OUTBOUND_ALLOW_LOOPBACK is False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/ok",
        "http://localhost:{port}/ok",
        "http://[::1]:{port}/ok",
        "http://[::ffff:127.0.0.1]:{port}/ok",
        "http://2130706433:{port}/ok",  # 127.0.0.1 as one number
        "http://0x7f.1:{port}/ok",
        "http://0:{port}/ok",
    ],
)
def test_loopback_in_any_spelling_is_refused_before_connecting(server, url):
    with (
        mock.patch.object(outbound, "open_socket") as open_socket,
        pytest.raises(outbound.OutboundError) as refused,
    ):
        outbound.request("GET", url.format(port=server))
    assert not open_socket.called
    assert Handler.seen == []
    assert "not connected" in str(refused.value)


def test_a_hostname_resolving_to_loopback_is_refused(server):
    fake = dns({"lms.example.test": ["127.0.0.1"]})
    watch = sockets_to(server)
    with fake, watch, pytest.raises(outbound.OutboundError) as refused:
        outbound.request("GET", f"http://lms.example.test:{server}/ok")
    assert watch.asked == [] and Handler.seen == []
    message = str(refused.value)
    assert message.startswith(f"http://lms.example.test:{server}/ok: ")
    assert "127.0.0.1 is a loopback" in message


def test_one_refused_address_among_several_refuses_the_host(server):
    watch = sockets_to(server)
    with (
        dns({"mixed.example.test": [PUBLIC, "10.0.0.7"]}),
        watch,
        pytest.raises(outbound.OutboundError, match="10.0.0.7 is a private"),
    ):
        outbound.request("GET", "http://mixed.example.test/ok")
    assert watch.asked == []


def test_a_public_host_is_reached_at_the_address_that_was_checked(server):
    fake, watch = dns({"lrs.example.test": [PUBLIC]}), sockets_to(server)
    with fake, watch:
        response = outbound.request("GET", "http://lrs.example.test/ok?x=1")
    assert (response.status, response.json()) == (200, {"ok": True})
    assert watch.asked == [(PUBLIC, 80)]
    assert fake.calls == ["lrs.example.test"]  # resolved once: no second answer
    assert Handler.seen[0]["path"] == "/ok?x=1"
    assert Handler.seen[0]["headers"]["Host"] == "lrs.example.test"
    assert Handler.seen[0]["headers"]["Accept-Encoding"] == "identity"


def test_a_second_dns_answer_cannot_swap_the_address(server):
    """DNS rebinding: the first answer is checked and connected to; a resolver
    that would answer 127.0.0.1 next time is never asked again."""
    answers = iter([[PUBLIC], ["127.0.0.1"]])
    watch = sockets_to(server)
    with mock.patch.object(outbound, "resolve", lambda h, p: next(answers)), watch:
        outbound.request("GET", "http://rebind.example.test/ok")
    assert watch.asked == [(PUBLIC, 80)]


def test_a_redirect_to_cloud_metadata_is_refused(server):
    fake = dns({"lms.example.test": [PUBLIC]})
    watch = sockets_to(server)
    target = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    with fake, watch, pytest.raises(outbound.OutboundError) as refused:
        outbound.request("GET", f"http://lms.example.test/to?{target}")
    assert watch.asked == [(PUBLIC, 80)]  # the first hop only
    assert [s["path"] for s in Handler.seen] == [f"/to?{target}"]
    assert str(refused.value).startswith(target)
    assert "169.254.169.254 is a link-local" in str(refused.value)


def test_a_redirect_to_a_name_for_metadata_is_refused(server):
    names = {"lms.example.test": [PUBLIC], "metadata.example.test": ["169.254.169.254"]}
    watch = sockets_to(server)
    with dns(names), watch, pytest.raises(outbound.OutboundError, match="link-local"):
        outbound.request(
            "GET", "http://lms.example.test/to?http://metadata.example.test/"
        )
    assert len(watch.asked) == 1


def test_a_redirect_within_bounds_is_followed_and_checked_again(server):
    names = {"a.example.test": [PUBLIC], "b.example.test": ["8.8.4.4"]}
    watch = sockets_to(server)
    with dns(names), watch:
        response = outbound.request(
            "GET",
            "http://a.example.test/to?http://b.example.test/ok",
            headers={"Authorization": "Bearer platform-token"},
        )
    assert response.status == 200 and response.url == "http://b.example.test/ok"
    assert watch.asked == [(PUBLIC, 80), ("8.8.4.4", 80)]
    first, second = Handler.seen
    assert first["headers"]["Authorization"] == "Bearer platform-token"
    assert "Authorization" not in second["headers"]  # another origin


def test_a_post_is_never_redirected(server):
    watch = sockets_to(server)
    with dns({"a.example.test": [PUBLIC]}), watch:
        response = outbound.request(
            "POST", "http://a.example.test/to?http://a.example.test/ok", json={}
        )
    assert response.status == 302 and len(watch.asked) == 1


def test_https_is_not_redirected_to_http():
    def exchange(outgoing, deadline, max_bytes):
        return outbound.Response(
            outgoing.url, 302, _headers(Location="http://a.example.test/"), b""
        )

    with (
        dns({"a.example.test": [PUBLIC]}),
        mock.patch.object(outbound, "exchange", exchange),
        pytest.raises(outbound.OutboundError, match="from https to http"),
    ):
        outbound.request("GET", "https://a.example.test/")


def test_redirects_are_bounded(server):
    url = "http://a.example.test/ok"
    for _ in range(outbound.MAX_REDIRECTS + 1):
        url = f"http://a.example.test/to?{url}"
    with (
        dns({"a.example.test": [PUBLIC]}),
        sockets_to(server),
        pytest.raises(outbound.OutboundError, match="more than 3 redirects"),
    ):
        outbound.request("GET", url)


@pytest.mark.parametrize(
    "url,reason",
    [
        ("file:///etc/passwd", "only http and https"),
        ("gopher://a.example.test/", "only http and https"),
        ("ftp://a.example.test/", "only http and https"),
        ("http:///path", "no host"),
        ("http://user:pass@a.example.test/", "user name or password"),
        ("http://a.example.test:99999/", "port"),
        ("http://a.example.test/\r\nHost: other", "control characters"),
        ("http://a.example.test\\@127.0.0.1/", "control characters"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(url, reason):
    with (
        mock.patch.object(outbound, "resolve") as resolve,
        pytest.raises(outbound.OutboundError, match=reason),
    ):
        outbound.request("GET", url)
    assert not resolve.called


@override_settings(OUTBOUND_ALLOW_LOOPBACK=True)
def test_errors_name_the_url_and_status_but_never_the_body(server):
    url = f"http://127.0.0.1:{server}/secret"
    with pytest.raises(lti_http.PlatformError) as failed:
        lti_http.get_json(url)
    assert str(failed.value) == f"{url} answered HTTP 500."
    assert "TOKEN" not in str(failed.value) and "iam" not in str(failed.value)


@override_settings(OUTBOUND_ALLOW_LOOPBACK=True)
def test_the_whole_request_is_bounded_in_time(server):
    started = time.monotonic()
    with pytest.raises(outbound.OutboundError, match="timed out"):
        outbound.request("GET", f"http://127.0.0.1:{server}/slow", timeout=1)
    assert time.monotonic() - started < 2  # the server drips for 3 s


@override_settings(OUTBOUND_ALLOW_LOOPBACK=True)
def test_the_answer_is_bounded_in_size(server):
    with pytest.raises(outbound.OutboundError, match="over 1000 bytes"):
        outbound.request("GET", f"http://127.0.0.1:{server}/big", max_bytes=1000)


def test_nothing_listening_is_named_without_detail_from_the_other_end():
    with (
        dns({"a.example.test": [PUBLIC]}),
        mock.patch.object(
            outbound,
            "open_socket",
            side_effect=ConnectionRefusedError(111, "Connection refused"),
        ),
        pytest.raises(outbound.OutboundError) as failed,
    ):
        outbound.request("GET", "https://a.example.test/")
    assert str(failed.value) == (
        "https://a.example.test/: could not be reached (Connection refused)"
    )


class FormsTestCase(SimpleTestCase):
    def form(self, endpoint: str) -> ForwardForm:
        return ForwardForm(
            {"endpoint": endpoint, "username": "u", "password": "p", "is_active": "on"}
        )

    def test_the_forwarding_form_refuses_internal_addresses_by_name(self) -> None:
        names = {
            "localhost": ["127.0.0.1"],
            "lrs.internal.test": ["10.20.30.40"],
            "lrs.example.test": [PUBLIC],
        }
        with dns(names):
            for endpoint, reason in [
                ("http://localhost:8080/xapi/", "loopback"),
                ("http://169.254.169.254/", "link-local"),
                ("https://lrs.internal.test/xapi/", "10.20.30.40 is a private"),
                ("https://[fd00::5]/xapi/", "unique local"),
            ]:
                form = self.form(endpoint)
                self.assertFalse(form.is_valid(), endpoint)
                self.assertIn(reason, form.errors["endpoint"][0])
                self.assertIn(
                    "Muster will not send requests", form.errors["endpoint"][0]
                )
            self.assertTrue(self.form("https://lrs.example.test/xapi/").is_valid())

    def test_a_name_that_does_not_resolve_yet_is_left_to_the_send(self) -> None:
        with dns({}):
            self.assertTrue(self.form("https://lrs.later.test/xapi/").is_valid())


def _headers(**values):
    from email.message import Message

    message = Message()
    for name, value in values.items():
        message[name] = value
    return message


def _certificate(tmp_path, name: str):
    """A self-signed certificate for `name`: (cert file, key file)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@pytest.fixture
def tls_server(tmp_path):
    import ssl

    cert, key = _certificate(tmp_path, "lrs.example.test")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    Handler.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    with mock.patch.object(outbound, "_ca_file", lambda: cert):
        yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_https_checks_the_certificate_against_the_host_not_the_address(tls_server):
    names = {"lrs.example.test": [PUBLIC], "other.example.test": [PUBLIC]}
    watch = sockets_to(tls_server)
    with dns(names), watch:
        response = outbound.request("GET", "https://lrs.example.test/ok")
        assert response.json() == {"ok": True}
        assert watch.asked == [(PUBLIC, 443)]
        assert Handler.seen[0]["headers"]["Host"] == "lrs.example.test"  # no :443
        # The same address under another name: its certificate does not match.
        with pytest.raises(outbound.OutboundError, match="TLS failed"):
            outbound.request("GET", "https://other.example.test/ok")
