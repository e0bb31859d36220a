"""Attachments in multipart/mixed requests, by SHA-2, and signed statements."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from muster.test import BaseTestCase
from muster.xapi.protocol import error_message
from muster.xapi.tests.helpers import LRS, make_lrs_client, statement

BOUNDARY = "abc123boundary"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def multipart(statements, parts) -> bytes:
    chunks = [
        f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(statements).encode(),
        b"\r\n",
    ]
    for content_type, content, sha2 in parts:
        chunks += [
            f"--{BOUNDARY}\r\nContent-Type: {content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n".encode(),
            content,
            b"\r\n",
        ]
    chunks.append(f"--{BOUNDARY}--".encode())
    return b"".join(chunks)


def attachment(
    content: bytes, usage="http://example.com/usage/info", content_type="text/plain"
):
    return {
        "usageType": usage,
        "display": {"en-US": "A file"},
        "contentType": content_type,
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class AttachmentTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret)
        self.content_type = f'multipart/mixed; boundary="{BOUNDARY}"'

    def send(self, statements, parts):
        return self.lrs.call(
            "POST",
            "statements",
            body=multipart(statements, parts),
            content_type=self.content_type,
        )

    def test_it_stores_an_attachment_and_returns_it_when_asked(self) -> None:
        content = b"sign-in sheet"
        sent = statement(attachments=[attachment(content)])
        sha2 = hashlib.sha256(content).hexdigest()
        response = self.send(sent, [("text/plain", content, sha2)])
        self.assertEqual(response.status_code, 200, response.content)
        statement_id = response.json()[0]
        plain = self.lrs.get({"statementId": statement_id})
        self.assertEqual(plain["Content-Type"], "application/json")
        with_files = self.lrs.get({"statementId": statement_id, "attachments": "true"})
        self.assertTrue(with_files["Content-Type"].startswith("multipart/mixed"))
        self.assertIn(content, with_files.content)
        self.assertIn(f"X-Experience-API-Hash: {sha2}".encode(), with_files.content)

    def test_part_headers_must_match_the_attachment_object(self) -> None:
        """Part Three 1.5.2: a part's Content-Type and Content-Length, when
        given, "MUST match" the attachment's contentType and length."""
        content = b"sign-in sheet"
        sha2 = hashlib.sha256(content).hexdigest()
        sent = statement(attachments=[attachment(content)])  # text/plain

        def raw(part_headers: str) -> bytes:
            return (
                (
                    f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n"
                    f"{json.dumps(sent)}\r\n--{BOUNDARY}\r\n{part_headers}"
                    "Content-Transfer-Encoding: binary\r\n"
                    f"X-Experience-API-Hash: {sha2}\r\n\r\n"
                ).encode("latin-1")  # header bytes as sent; read as latin-1
                + content
                + f"\r\n--{BOUNDARY}--".encode()
            )

        cases = {
            "Content-Type: image/png\r\n": 400,
            "Content-Length: 3\r\n": 400,
            # Byte 0xB2 reads as "²", a digit to str.isdigit() but not to int().
            "Content-Length: \u00b2\r\n": 400,
            "Content-Type: TEXT/Plain; charset=utf-8\r\n": 200,
            f"Content-Length: {len(content)}\r\n": 200,
            "": 200,  # neither header: nothing to compare
        }
        for headers, status in cases.items():
            with self.subTest(headers=headers):
                response = self.lrs.call(
                    "POST",
                    "statements",
                    body=raw(headers),
                    content_type=self.content_type,
                )
                self.assertEqual(response.status_code, status, response.content)
                if status == 400:
                    self.assertIn(sha2, error_message(response))

    def test_it_refuses_missing_mismatched_or_undeclared_parts(self) -> None:
        content = b"sign-in sheet"
        sha2 = hashlib.sha256(content).hexdigest()
        cases = {
            "no part": (statement(attachments=[attachment(content)]), []),
            "wrong content": (
                statement(attachments=[attachment(content)]),
                [("text/plain", b"other bytes", sha2)],
            ),
            "undeclared part": (statement(), [("text/plain", content, sha2)]),
        }
        for name, (sent, parts) in cases.items():
            with self.subTest(name):
                self.assertEqual(self.send(sent, parts).status_code, 400)
        self.assertEqual(self.lrs.get().json()["statements"], [])

    def test_a_file_url_attachment_needs_no_part(self) -> None:
        declared = {**attachment(b"x"), "fileUrl": "https://files.example/x.txt"}
        self.assertEqual(
            self.lrs.post(statement(attachments=[declared])).status_code, 200
        )

    def signed(self, signed_statement, sent_statement, alg="RS256", signer=None):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        signer = signer or key
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Vendor")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256())
        )  # fmt: skip
        header = {
            "alg": alg,
            "x5c": [
                base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
            ],
        }
        signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(signed_statement).encode())}"
        signature = signer.sign(
            signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        jws = f"{signing_input}.{b64(signature)}".encode()
        sent = {
            **sent_statement,
            "attachments": [attachment(jws, SIGNATURE, "application/octet-stream")],
        }
        return self.send(
            sent, [("application/octet-stream", jws, hashlib.sha256(jws).hexdigest())]
        )

    def test_a_correctly_signed_statement_is_stored(self) -> None:
        original = statement()
        self.assertEqual(self.signed(original, original).status_code, 200)

    def test_a_signature_that_does_not_match_is_refused(self) -> None:
        original = statement()
        changed = statement(verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
        response = self.signed(original, changed)
        self.assertEqual(response.status_code, 400)
        self.assertIn("does not match", error_message(response))
        self.assertEqual(self.signed(original, original, alg="HS256").status_code, 400)

    def test_a_signature_by_another_key_than_its_certificate_is_refused(self) -> None:
        original = statement()
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        response = self.signed(original, original, signer=stranger)
        self.assertEqual(response.status_code, 400)
        self.assertIn("does not verify", error_message(response))
