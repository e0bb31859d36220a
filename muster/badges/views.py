"""Public badge pages: a certificate's credential (by its verify code, like the
verify page), its QR code, each provider's DID document and status list, and
the check of a credential file someone brings.

Stable element ids, relied on by the browser tests: on /verify/<code>/ and the
assessment result page (both from badges/_downloads.html), `a#download-badge` (the VC-JWT), `a#download-badge-json`,
`a#download-badge-proof` (embedded eddsa-rdfc-2022 proof), `img#badge-qr`; the
check form `form#badge-check` with `textarea#badge-text`, `input#badge-file`
and `button#check-badge`; its answer `#badge-verdict` ("Valid", "Revoked" or
"Not valid") and `#badge-reason`.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from muster.accounts import access
from muster.badges import actions, verify
from muster.badges.credentials import (
    MEDIA_TYPE,
    VC_CONTEXT,
    proved_badge,
    sign,
    signed_badge,
    status_list_credential,
)
from muster.badges.did import did_document
from muster.learning.certificates import normalise_code

# A credential is a few kilobytes; anything much larger is not one.
MAX_BADGE_BYTES = 64 * 1024


def _certificate(code: str):
    certificate = access.certificate_to_verify(normalise_code(code))
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate


def _key(agency):
    try:
        return actions.signing_key(agency)
    except actions.NoSigningKey as missing:
        raise Http404(str(missing)) from None


@require_GET
def badge(request: HttpRequest, code: str) -> HttpResponse:
    """The certificate's OpenBadgeCredential as a VC-JWT file."""
    certificate = _certificate(code)
    provider = certificate.enrollment.course.provider
    token = signed_badge(certificate, _key(provider))
    response = HttpResponse(token, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="badge-{certificate.code}.jwt"'
    )
    return response


@require_GET
def badge_json(request: HttpRequest, code: str) -> HttpResponse:
    """The same credential as JSON: an EnvelopedVerifiableCredential (VC 2.0,
    section 4.13), which carries the VC-JWT in a data: URL."""
    certificate = _certificate(code)
    provider = certificate.enrollment.course.provider
    token = signed_badge(certificate, _key(provider))
    envelope = {
        "@context": [VC_CONTEXT],
        "id": f"data:{MEDIA_TYPE},{token}",
        "type": "EnvelopedVerifiableCredential",
    }
    response = JsonResponse(envelope, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="badge-{certificate.code}.json"'
    )
    return response


@require_GET
def badge_proof(request: HttpRequest, code: str) -> HttpResponse:
    """The credential with an embedded Data Integrity proof (eddsa-rdfc-2022),
    for wallets and verifiers that take that form rather than a VC-JWT."""
    certificate = _certificate(code)
    key = _key(certificate.enrollment.course.provider)
    if key.algorithm != "EdDSA":
        raise Http404("This provider signs with an RSA key, which has no eddsa proof.")
    response = JsonResponse(
        proved_badge(certificate, key),
        content_type="application/vc",
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = (
        f'attachment; filename="badge-{certificate.code}.proof.json"'
    )
    return response


@require_GET
def badge_qr(request: HttpRequest, code: str) -> HttpResponse:
    """An SVG QR code of the address the credential downloads from."""
    certificate = _certificate(code)
    url = request.build_absolute_uri(reverse("badges:badge", args=[certificate.code]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@require_GET
def issuer_did(request: HttpRequest, code: str) -> HttpResponse:
    """The provider's DID document, where did:web sends a verifier."""
    agency = access.badge_issuer(code)
    return JsonResponse(
        did_document(agency),
        content_type="application/did+ld+json",
        json_dumps_params={"indent": 2},
    )


@require_GET
def status_list(request: HttpRequest, code: str) -> HttpResponse:
    """The provider's revocation list, a BitstringStatusListCredential as a VC-JWT."""
    agency = access.badge_issuer(code)
    listed = status_list_credential(agency)
    response = HttpResponse(sign(listed, _key(agency)), content_type=MEDIA_TYPE)
    # Revocations must reach verifiers promptly: no caching on the way.
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
def check_badge(request: HttpRequest) -> HttpResponse:
    """Public: the verdict on a credential file or pasted text."""
    text = request.POST.get("credential", "")
    upload = request.FILES.get("file")
    if upload is not None:
        text = upload.read(MAX_BADGE_BYTES + 1).decode("utf-8", "replace")
    if len(text.encode("utf-8")) > MAX_BADGE_BYTES:
        found = verify.Verdict(verify.INVALID, "The file is too large to be a badge.")
    elif not text.strip():
        found = verify.Verdict(verify.INVALID, "Paste a credential or choose a file.")
    else:
        found = verify.verify_text(text)
    return render(
        request,
        "badges/check.html",
        {"verdict": found, "pretty": verify.pretty(found.credential)},
        status=200 if found.outcome != verify.INVALID else 422,
    )
