"""The signed cookie session, without the signing work for a visitor who has no cookie.

Flask builds its itsdangerous serializer (a key derivation) to open every request's session,
even when the request carries no session cookie, and reads seven cookie settings to save an
empty one. Most public reads come without a cookie and leave the session empty; for them both
ends are now a dictionary look-up. Everything else is Flask's own code path.
"""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class CookieSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # what Flask returns for a missing cookie
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            # Nothing to write or delete: only the Vary that Flask adds for a read session.
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def install_cookie_session(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
