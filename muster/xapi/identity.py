"""How the LRS names agents and groups: by their inverse functional identifier.

Two agents are the same when they share an identifier, whatever their names, so
indexes, documents and filters all use `agent_key`: "mbox:mailto:a@b.org",
"account:https://lms.example|ann" and so on.

Identifiers are compared after the normalisation IEEE 9274.1.1 allows for IRIs
("when storing or comparing IRIs, LRSs shall handle them only by using one or
more of the approaches described in 5.3.1 (Simple String Comparison) and 5.3.2
(Syntax-Based Normalization) of RFC 3987"): a scheme and a host compare without
case, percent-encodings by their octet. An email address's domain compares
without case too (xAPI Part Two 2.4.2.3: "the domain portions of email
addresses are case insensitive"); its local part keeps its case, since only
the receiving mail system knows what it means (RFC 5321 2.4). So
"MAILTO:Ann@Example.ORG" and "mailto:Ann@example.org" are one agent, and
"mailto:ann@example.org" another. An mbox_sha1sum is hexadecimal, so its case
does not matter either. Statements are returned as sent: only the keys are
normalised.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from muster.xapi.validation import IFIS

SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?P<rest>.*)$", re.DOTALL)
AUTHORITY = re.compile(r"^//(?P<authority>[^/?#]*)(?P<rest>.*)$", re.DOTALL)
TRIPLET = re.compile(r"%([0-9A-Fa-f]{2})")
UNRESERVED = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)


def agent_key(actor: dict) -> str | None:
    """The identifier of an Agent or identified Group; None for an anonymous Group."""
    for ifi in IFIS:
        if ifi in actor:
            value = actor[ifi]
            if ifi == "account":
                return f"account:{normal_iri(value['homePage'])}|{value['name']}"
            if ifi == "mbox":
                return f"mbox:{normal_mbox(value)}"
            if ifi == "mbox_sha1sum":
                return f"mbox_sha1sum:{value.lower()}"
            return f"openid:{normal_iri(value)}"
    return None


def normal_key(key: str) -> str:
    """A key made before identifiers were normalised, made again as agent_key
    makes it now (for the migration that rewrites stored keys)."""
    ifi, _, value = key.partition(":")
    if ifi == "account":
        home_page, _, name = value.partition("|")
        return agent_key({"account": {"homePage": home_page, "name": name}}) or key
    if ifi in IFIS:
        return agent_key({ifi: value}) or key
    return key


def normal_mbox(mbox: str) -> str:
    """A mailto IRI with its scheme and domain in lower case."""
    iri = normal_iri(mbox)
    local, at, domain = iri.removeprefix("mailto:").rpartition("@")
    if not at:
        return iri
    return f"mailto:{local}@{domain.lower()}"


def normal_iri(iri: str) -> str:
    """RFC 3987 5.3.2's syntax-based normalisation: NFC, the scheme and host in
    lower case, percent-encodings in upper case and unreserved characters
    decoded. Path segments are left as they are."""
    iri = unicodedata.normalize("NFC", iri)
    match = SCHEME.match(iri)
    if match is None:
        return _triplets(iri)
    scheme, rest = match["scheme"].lower(), match["rest"]
    authority = AUTHORITY.match(rest)
    if authority is None:
        return f"{scheme}:{_triplets(rest)}"
    userinfo, at, host = authority["authority"].rpartition("@")
    return (
        f"{scheme}://{_triplets(userinfo)}{at}{_triplets(host).lower()}"
        f"{_triplets(authority['rest'])}"
    )


def _triplets(text: str) -> str:
    def one(match: re.Match) -> str:
        character = chr(int(match[1], 16))
        return character if character in UNRESERVED else f"%{match[1].upper()}"

    return TRIPLET.sub(one, text)


def actor_keys(actor: dict) -> list[str]:
    """The actor's own key and, for a Group, its members' keys."""
    keys = [agent_key(actor)]
    keys += [agent_key(member) for member in actor.get("member", [])]
    return [key for key in keys if key]


def ids_only(actor: dict) -> dict[str, Any]:
    """The actor as format=ids returns it: objectType and identifier (members for
    an anonymous Group)."""
    kind = actor.get("objectType", "Agent")
    result: dict[str, Any] = {"objectType": kind}
    for ifi in IFIS:
        if ifi in actor:
            result[ifi] = actor[ifi]
            return result
    if "member" in actor:
        result["member"] = [ids_only(member) for member in actor["member"]]
    return result
