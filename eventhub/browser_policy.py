"""What browsers are told: a Content-Security-Policy without inline script, no framing, no
sniffing, a strict referrer, HSTS in production, and no caching of personal pages."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request, session
from flask_talisman import Talisman

from eventhub.config import is_production


class _Talisman(Talisman):
    """Talisman that leaves a stricter policy a view set itself (mail previews, uploads), and
    writes a policy's text once rather than on every response."""

    def __init__(self) -> None:
        super().__init__()
        # id(policy) -> (policy, sections with a nonce, the text cut where the nonce goes)
        self._policy_texts: dict[int, tuple[Any, tuple[str, ...], list[str]]] = {}

    def _parse_policy(self, policy: Any) -> str:
        # Turning the policy into its text was a tenth of a cached public page's time; only
        # the nonce changes from one response to the next.
        nonce = getattr(request, "csp_nonce", None)
        if not isinstance(policy, dict) or not nonce:
            return str(super()._parse_policy(policy))
        nonce_in = tuple(self._get_local_options()["content_security_policy_nonce_in"] or ())
        known = self._policy_texts.get(id(policy))
        if known is None or known[0] is not policy or known[1] != nonce_in:
            known = (policy, nonce_in, self._policy_text(policy, nonce_in))
            self._policy_texts[id(policy)] = known
        return str(nonce).join(known[2])

    @staticmethod
    def _policy_text(policy: dict[str, Any], nonce_in: tuple[str, ...]) -> list[str]:
        """Talisman's text for a policy, cut where each nonce goes."""
        parts = []
        for section, content in policy.items():
            text = content if isinstance(content, str) else " ".join(content)
            part = f"{section} {text}"
            if section in nonce_in:
                part += " 'nonce-\x00'"
            parts.append(part)
        return "; ".join(parts).split("\x00")

    def _set_content_security_policy_headers(self, headers: Any, options: Any) -> None:
        own = headers.get("Content-Security-Policy")
        super()._set_content_security_policy_headers(headers, options)
        if own is not None:
            headers["Content-Security-Policy"] = own


talisman = _Talisman()

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    # Scripts only from our own files (and a per-request nonce for any inline one we add).
    "script-src": "'self'",
    # Style attributes carry sizes and colours; they cannot run code.
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "interest-cohort": "()",
}
# Pages of one person (the manage link) that must never sit in a shared or browser cache.
_PERSONAL_PREFIXES = ("/manage/", "/organiser/", "/speaker/", "/account")


def install_browser_policy(app: Flask) -> None:
    production = is_production(app.config)
    talisman.init_app(
        app,
        # TLS ends at the proxy, which redirects; HSTS then keeps browsers on https.
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_include_subdomains=False,
        session_cookie_secure=production,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS_POLICY,
    )
    app.after_request(_no_store_for_personal_pages)


def _no_store_for_personal_pages(response: Response) -> Response:
    personal = (
        "_user_id" in session
        or "Authorization" in request.headers
        or request.path.startswith(_PERSONAL_PREFIXES)
        or response.mimetype == "text/csv"
    )
    if personal:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
