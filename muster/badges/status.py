"""Bitstring Status List v1.0 (W3C Recommendation, 2025): one revocation bit per
certificate, published in a list credential per provider.

The list is GZIP-compressed (RFC 1952) and written as multibase base64url without
padding (the `u` prefix), at least 16 KB (131,072 entries) long so that one
certificate cannot be told from another by the list's size (section 2.1 and 6.1).
Index 0 is the left-most bit, the most significant bit of the first byte. A
certificate's index is drawn at random among the free ones when it is issued
(`muster.badges.actions.prepare_certificate`), so that it does not tell the
order of issue (section 6.4), then fixed for its life and never reused. The
list is kept at most half full, so that a random draw finds a free index in two
tries on average.
"""

from __future__ import annotations

import gzip

from muster.badges.keys import b64url, unb64url

MIN_BITS = 16 * 1024 * 8


def list_size(entries: int) -> int:
    """How many indexes the list offers for `entries` certificates: at least
    twice as many, in whole steps of the minimum size."""
    wanted = max(MIN_BITS, 2 * entries)
    return wanted + (-wanted % MIN_BITS)


def encode(revoked: set[int], size_hint: int = 0) -> str:
    """The `encodedList` for a list in which the indexes `revoked` are set."""
    bits = max(MIN_BITS, size_hint, max(revoked, default=0) + 1)
    bits += -bits % MIN_BITS
    data = bytearray(bits // 8)
    for index in revoked:
        data[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list compresses to the same bytes on every request.
    return "u" + b64url(gzip.compress(bytes(data), mtime=0))


def is_set(encoded_list: str, index: int) -> bool:
    """Whether bit `index` is set. Raises ValueError for a malformed list or an
    index outside it (a verifier must then fail, not pass, the credential)."""
    if not encoded_list.startswith("u"):
        raise ValueError("The encodedList is not multibase base64url ('u').")
    data = gzip.decompress(unb64url(encoded_list[1:]))
    if len(data) * 8 < MIN_BITS:
        raise ValueError("The status list is shorter than 131,072 entries.")
    if not 0 <= index < len(data) * 8:
        raise ValueError(f"Status index {index} is outside the list.")
    return bool(data[index // 8] & (0x80 >> (index % 8)))
