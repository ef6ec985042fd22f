"""The signed cookie session, without the signing work for a visitor who has no cookie.

Flask builds its itsdangerous serializer (a key derivation) to open every request's session,
even when the request carries no session cookie, and reads seven cookie settings to save an
empty one. Most public reads come without a cookie and leave the session empty; for them both
ends are now a dictionary look-up. Everything else is Flask's own code path.
"""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

from eventhub.signing import KeptSignerSerializer, KeyedTimestampSigner

_SERIALIZERS_MAX = 16


class CookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        # (secret key, fallbacks) -> the serializer Flask would build for them per request.
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Flask builds the serializer (and its signer's settings) on every request that opens
        # or writes a session; it depends on the keys only and keeps no state between calls.
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            flasks = super().get_signing_serializer(app)
            if flasks is None:
                return None
            # Flask's serializer, with its signer and key prepared once (eventhub.signing).
            serializer = KeptSignerSerializer(
                flasks.secret_keys,
                salt=flasks.salt,
                serializer=flasks.serializer,
                serializer_kwargs=flasks.serializer_kwargs,
                signer=KeyedTimestampSigner,
                signer_kwargs=flasks.signer_kwargs,
                fallback_signers=flasks.fallback_signers,
            )
            if len(self._serializers) >= _SERIALIZERS_MAX:
                self._serializers.clear()
            self._serializers[keys] = serializer
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookies = request.cookies  # `in` first: a missing key in .get() raises and catches
        name = self.get_cookie_name(app)
        if app.secret_key and not (name in cookies and cookies[name]):  # noqa: RUF019
            return self.session_class()  # what Flask returns for a missing cookie
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's own, but `Vary: Cookie` is read from the header text before it is parsed
        and written (twice per written session in Flask: a tenth of the cached session page)."""
        if session.accessed:
            _vary_cookie(response)
        if not session:
            if session.modified:  # emptied: the cookie goes
                response.delete_cookie(
                    self.get_cookie_name(app),
                    domain=self.get_cookie_domain(app),
                    path=self.get_cookie_path(app),
                    secure=self.get_cookie_secure(app),
                    partitioned=self.get_cookie_partitioned(app),
                    samesite=self.get_cookie_samesite(app),
                    httponly=self.get_cookie_httponly(app),
                )
                _vary_cookie(response)
            return
        if not self.should_set_cookie(app, session):
            return
        serializer = self.get_signing_serializer(app)
        assert serializer is not None  # a session that is not the null session has a key
        response.set_cookie(
            self.get_cookie_name(app),
            serializer.dumps(dict(session)),
            expires=self.get_expiration_time(app, session),
            httponly=self.get_cookie_httponly(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            partitioned=self.get_cookie_partitioned(app),
            samesite=self.get_cookie_samesite(app),
        )
        _vary_cookie(response)


def _vary_cookie(response: Response) -> None:
    """`response.vary.add("Cookie")` without parsing and rewriting a header that has it."""
    current = response.headers.get("Vary")
    if current is None:
        response.headers["Vary"] = "Cookie"
    elif "cookie" not in {part.strip().lower() for part in current.split(",")}:
        response.vary.add("Cookie")


def install_cookie_session(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
