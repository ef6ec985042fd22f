"""What browsers are told: a Content-Security-Policy without inline script, no framing, no
sniffing, a strict referrer, HSTS in production, and no caching of personal pages."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request, session
from flask_talisman import Talisman
from werkzeug.datastructures import Headers

from eventhub.config import is_production


class _Talisman(Talisman):
    """Talisman that leaves a stricter policy a view set itself (mail previews, uploads), and
    writes a policy's text once rather than on every response."""

    def __init__(self) -> None:
        super().__init__()
        # id(policy) -> (policy, sections with a nonce, the text cut where the nonce goes)
        self._policy_texts: dict[int, tuple[Any, tuple[str, ...], list[str]]] = {}
        # The options of a view without options of its own, and the headers they fix (every
        # header but the CSP's nonce and HSTS, which depend on the request): built on first use.
        self._defaults: dict[str, Any] | None = None
        self._fixed: tuple[tuple[str, str], ...] | None = None

    def init_app(self, app: Flask, **kwargs: Any) -> None:
        super().init_app(app, **kwargs)
        # Talisman keeps its options on the instance: a new app's options replace the last.
        self._defaults = None
        self._fixed = None

    def _get_local_options(self) -> dict[str, Any]:
        # Talisman built a fresh dict of eight options for a view without its own, four times
        # per response (a tenth of a cached page with the header writes below); it is constant.
        view = current_app.view_functions.get(request.endpoint)  # type: ignore[arg-type]
        if getattr(view, "talisman_view_options", None) is not None:
            return dict(super()._get_local_options())
        if self._defaults is None:
            self._defaults = {
                "force_https": self.force_https,
                "frame_options": self.frame_options,
                "frame_options_allow_from": self.frame_options_allow_from,
                "content_security_policy": self.content_security_policy,
                "content_security_policy_nonce_in": self.content_security_policy_nonce_in,
                "permissions_policy": self.permissions_policy,
                "document_policy": self.document_policy,
                "feature_policy": self.feature_policy,
            }
        return self._defaults

    def _force_https(self) -> Response | None:
        # Without forcing, Talisman still read three request properties per request (a missing
        # X-Forwarded-Proto raises and catches a KeyError) before looking at the option.
        if self._get_local_options() is self._defaults and not self.force_https:
            if self.session_cookie_secure and not self.app.debug:
                self.app.config["SESSION_COOKIE_SECURE"] = True  # as Talisman's own does
            return None
        return super()._force_https()

    def _set_response_headers(self, response: Response) -> Response:
        options = self._get_local_options()
        headers = response.headers
        if (
            options is not self._defaults
            or self.content_security_policy_report_uri
            or self.content_security_policy_report_only
        ):
            return super()._set_response_headers(response)
        fixed = self._fixed
        if fixed is None:
            fixed = self._fixed = self._fixed_headers(options)
        # Talisman's headers in Talisman's order; a value already there (a view's own CSP
        # apart) is replaced, as Talisman's writes replace it. (`name in headers` raises and
        # catches a KeyError per missing name: one pass over the few headers instead.)
        present = {key.lower() for key, _value in headers.items()}
        for name, value in fixed:
            if name == "Content-Security-Policy":
                if "content-security-policy" in present or not options["content_security_policy"]:
                    continue
                value = self._parse_policy(options["content_security_policy"])
            elif name == "Strict-Transport-Security" and not (
                request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"
            ):
                continue
            if name.lower() in present:
                headers[name] = value
            else:
                headers.add(name, value)
        return response

    def _fixed_headers(self, options: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        """Talisman's headers for these options, written once on a blank response; the CSP
        and HSTS stand as markers for the writes that depend on the request."""
        scratch = Headers()
        self._set_feature_policy_headers(scratch, options)
        self._set_permissions_policy_headers(scratch, options)
        self._set_document_policy_headers(scratch, options)
        self._set_frame_options_headers(scratch, options)
        no_policy = {"content_security_policy": None}  # its X- headers only
        Talisman._set_content_security_policy_headers(self, scratch, no_policy)
        fixed = list(scratch.items())
        fixed.append(("Content-Security-Policy", ""))
        if self.strict_transport_security:
            hsts = f"max-age={self.strict_transport_security_max_age}"
            if self.strict_transport_security_include_subdomains:
                hsts += "; includeSubDomains"
            if self.strict_transport_security_preload:
                hsts += "; preload"
            fixed.append(("Strict-Transport-Security", hsts))
        fixed.append(("Referrer-Policy", self.referrer_policy))
        return tuple(fixed)

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
        # The WSGI key, not request.headers: a missing header there costs a raised KeyError.
        or "HTTP_AUTHORIZATION" in request.environ
        or request.path.startswith(_PERSONAL_PREFIXES)
        or response.mimetype == "text/csv"
    )
    if personal:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
