"""itsdangerous' timed URL-safe serializer, signing with a signer and key prepared once.

For each `dumps` itsdangerous builds a new signer, derives its key and runs a pure-Python HMAC
(its digest method is a function, which the C HMAC does not take). The cached session page signs
twice for every new visitor: their CSRF token and the session cookie that holds its raw value.
`KeptSignerSerializer` keeps one signer per salt, and `KeyedTimestampSigner` derives its key
once and signs in one C call (`hmac.digest` with the digest's name). A new visitor's payload
is written without the serializer's machinery, and a short one is not offered to zlib
(`dump_payload`). The output is the same, byte for byte, but for a short payload zlib could
have shortened, written plain (tests/security/test_signing.py); verifying is itsdangerous' own
code, which reads both.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import zlib
from typing import Any

from flask.json.tag import TaggedJSONSerializer
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import HMACAlgorithm, Signer
from itsdangerous.timed import TimestampSigner
from itsdangerous.url_safe import URLSafeSerializerMixin


class KeyedTimestampSigner(TimestampSigner):
    # (derived key, hashlib name of the digest) once worked out; None: itsdangerous' own way.
    _prepared: tuple[bytes, str] | None = None
    _unprepared = False

    def get_signature(self, value: str | bytes) -> bytes:
        prepared = self._prepared
        if prepared is None:
            if self._unprepared or not self._prepare():
                return super().get_signature(value)
            prepared = self._prepared
            assert prepared is not None
        key, digest = prepared
        return base64_encode(hmac.digest(key, want_bytes(value), digest))

    def _prepare(self) -> bool:
        algorithm = self.algorithm
        digest = getattr(algorithm, "digest_method", None)
        name = getattr(digest() if callable(digest) else None, "name", None)
        # Only the plain HMAC over a hashlib digest is the same signature from one C call.
        if type(algorithm) is not HMACAlgorithm or name not in hashlib.algorithms_guaranteed:
            self._unprepared = True
            return False
        self._prepared = (self.derive_key(), str(name))
        return True


# Payloads shorter than this are not offered to zlib (see KeptSignerSerializer.dump_payload).
UNCOMPRESSED_BELOW = 64
# Flask-WTF's raw CSRF token (40 hex digits) and the session field that holds it.
_RAW_TOKEN = re.compile(r"[0-9a-f]{40}")
_CSRF_FIELD = "csrf_token"


class KeptSignerSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer whose signing signer is built once per salt (a signer keeps no
    state between calls; its timestamp is read per signature)."""

    default_signer = KeyedTimestampSigner

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[bytes | None, Signer] = {}
        # itsdangerous' compact JSON and Flask's session serializer write a raw CSRF token, and
        # a session holding only one, as the JSON that `_token_json` writes directly.
        self._plain_json = self.serializer is URLSafeSerializerMixin.default_serializer or (
            type(self.serializer) is TaggedJSONSerializer
        )

    def _token_json(self, obj: Any) -> bytes | None:
        """A new visitor's payload (a raw CSRF token, or a session holding only that) as its
        serializer writes it, without the serializer: its JSON encoder and Flask's tagging cost
        the cached session page about 8 µs per visitor. None for anything else."""
        if not self._plain_json:
            return None
        if type(obj) is str:
            if _RAW_TOKEN.fullmatch(obj):
                return b'"' + obj.encode() + b'"'
        elif type(obj) is dict and len(obj) == 1:
            token = obj.get(_CSRF_FIELD)
            if type(token) is str and _RAW_TOKEN.fullmatch(token):
                return b'{"' + _CSRF_FIELD.encode() + b'":"' + token.encode() + b'"}'
        return None

    def dump_payload(self, obj: Any) -> bytes:
        """itsdangerous' URL-safe payload, without trying to compress a short one.

        itsdangerous zlib-compresses every payload and keeps the result if it is two bytes
        shorter. A new visitor's CSRF token and session cookie hold a 40-hex-digit random token
        (42 and 56 bytes of JSON), which zlib never shortens (tests/security/test_signing.py:
        the same bytes as itsdangerous' for 20,000 tokens), and the two attempts cost the cached
        session page about 7 µs per visitor. Another short payload that zlib could shorten
        is written uncompressed, a few bytes longer; `loads` reads both.
        """
        json = self._token_json(obj)
        if json is None:
            json = super(URLSafeSerializerMixin, self).dump_payload(obj)
        if len(json) < UNCOMPRESSED_BELOW:
            return base64_encode(json)
        compressed = zlib.compress(json)
        if len(compressed) < len(json) - 1:
            return b"." + base64_encode(compressed)
        return base64_encode(json)

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        key = want_bytes(salt) if salt is not None else None
        signer = self._signers.get(key)
        if signer is None:
            signer = self._signers[key] = super().make_signer(salt)
        return signer
