"""eventhub: webinar series end to end."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from eventhub import all_models  # noqa: F401  (the whole schema, before mappers configure)
from eventhub import config as settings
from eventhub.access_policy import NEEDS
from eventhub.accounts.loader import install_user_loader
from eventhub.accounts.views import bp as accounts_bp
from eventhub.activity import recorder as activity_recorder
from eventhub.activity.views import blp as activity_api_blp
from eventhub.activity.views import bp as activity_bp
from eventhub.api import SPEC_OPTIONS as api_spec_options
from eventhub.api.members import blp as teams_api_blp
from eventhub.api.organiser import bp as api_organiser_bp
from eventhub.api.programme import bp as api_programme_bp
from eventhub.api.registrations import bp as api_registrations_bp
from eventhub.browser_policy import install_browser_policy
from eventhub.celery_app import celery_init_app
from eventhub.cli import eventhub_cli
from eventhub.cookie_session import install_cookie_session
from eventhub.database import install_engine_listeners, install_request_write_mode
from eventhub.emails.views import organiser as mail_organiser  # noqa: F401  (routes)
from eventhub.emails.views import organiser_bp as mail_bp
from eventhub.emails.views import unsubscribe as mail_unsubscribe  # noqa: F401  (routes)
from eventhub.emails.views import unsubscribe_bp
from eventhub.errors import install_error_handlers
from eventhub.extensions import api, csrf, db, limiter, login_manager, migrate
from eventhub.health import bp as health_bp
from eventhub.i18n import install_i18n
from eventhub.images import bp as uploads_bp
from eventhub.insights.views import bp as attention_bp
from eventhub.insights.views import home as insights_home  # noqa: F401  (routes)
from eventhub.insights.views import organiser as insights_organiser  # noqa: F401  (routes)
from eventhub.insights.views import speaker as insights_speaker  # noqa: F401  (routes)
from eventhub.language_views import bp as language_bp
from eventhub.mail.views import bp as mailbox_bp
from eventhub.presentation import install_template_helpers
from eventhub.privacy.views import bp as privacy_bp
from eventhub.public.cache import init_cache
from eventhub.public.views import bp as public_bp
from eventhub.public.views import pages as public_pages  # noqa: F401  (routes)
from eventhub.public.views import recap as public_recap  # noqa: F401  (routes)
from eventhub.public.views import recaps_bp
from eventhub.recaps.views import bp as recap_editor_bp
from eventhub.receivers import register_signals
from eventhub.recovery.views import bp as recovery_bp
from eventhub.registration import templating as registration_templating
from eventhub.registration.views import admin_bp as registration_admin_bp
from eventhub.registration.views import bp as registration_bp
from eventhub.registration.views import manage as registration_manage  # noqa: F401  (routes)
from eventhub.registration.views import organiser as registration_organiser  # noqa: F401  (routes)
from eventhub.registration.views import public as registration_public  # noqa: F401  (routes)
from eventhub.registration.views import questions as registration_questions  # noqa: F401  (routes)
from eventhub.registration.views import questions_bp as registration_questions_bp
from eventhub.registration.views.api import blp as registration_api_blp
from eventhub.request_guards import install_request_guards
from eventhub.scheduling.views import bp as scheduling_bp
from eventhub.scheduling.views import series as scheduling_series  # noqa: F401  (routes)
from eventhub.scheduling.views import session as scheduling_session  # noqa: F401  (routes)
from eventhub.security.views import bp as security_bp
from eventhub.speakers.views import bp as speakers_bp
from eventhub.speakers.views import invitation as speakers_invitation  # noqa: F401  (routes)
from eventhub.speakers.views import lineup as speakers_lineup  # noqa: F401  (routes)
from eventhub.speakers.views import me as speakers_me  # noqa: F401  (routes)
from eventhub.speakers.views import organiser as speakers_organiser  # noqa: F401  (routes)
from eventhub.speakers.views import public as speakers_public  # noqa: F401  (routes)
from eventhub.teams import access
from eventhub.teams.views import bp as teams_bp
from eventhub.transaction import install_transaction_hooks
from eventhub.urls import EventhubFlask

# Every blueprint of the application, in registration order.
BLUEPRINTS = (
    public_bp,
    accounts_bp,
    mailbox_bp,
    health_bp,
    language_bp,
    uploads_bp,
    attention_bp,
    scheduling_bp,
    speakers_bp,
    mail_bp,
    unsubscribe_bp,
    recaps_bp,
    recap_editor_bp,
    registration_bp,
    registration_admin_bp,
    registration_questions_bp,
    teams_bp,
    activity_bp,
    recovery_bp,
    security_bp,
    privacy_bp,
)
# flask-smorest blueprints under /api/v1, described in /api/v1/openapi.json.
API_BLUEPRINTS: tuple[Any, ...] = (
    api_programme_bp,
    api_organiser_bp,
    api_registrations_bp,
    registration_api_blp,
    teams_api_blp,
    activity_api_blp,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides the environment (tests use it)."""
    loaded = settings.load(config, os.environ)
    app = EventhubFlask(
        __name__,
        instance_path=loaded["EVENTHUB_INSTANCE_PATH"],
        template_folder=str(settings.shipped_folder("templates")),
        static_folder=str(settings.shipped_folder("static")),
    )
    app.config.update(loaded)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_logging(app)
    register_proxies(app)
    install_cookie_session(app)
    install_request_write_mode(app)  # first: before any request hook opens a transaction
    install_request_guards(app)
    register_extensions(app)
    register_blueprints(app)
    register_access(app)
    register_signals(app)
    register_templating(app)
    register_errors(app)
    install_browser_policy(app)
    register_cli(app)
    celery_init_app(app)
    return app


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )


def register_proxies(app: Flask) -> None:
    # Behind N reverse proxies the client address is the Nth from the right of X-Forwarded-For;
    # with none configured, forwarded headers are ignored (anyone can send them).
    count = int(app.config.get("EVENTHUB_TRUSTED_PROXIES") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    install_transaction_hooks()
    with app.app_context():
        for engine in db.engines.values():
            install_engine_listeners(engine)
    migrate.init_app(
        app,
        db,
        directory=str(settings.shipped_folder("migrations")),
        compare_type=True,
        render_as_batch=True,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    install_user_loader(login_manager)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # No X-RateLimit-* headers on every limited response: writing them costs two more Redis
    # round trips per registration POST (the window's count and its expiry) on top of the
    # hit itself. A refused request still says when to come back (Retry-After, errors.py).
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Redis being down must never fail a request: count in this process's memory meanwhile
    # (the same limits, per process) and give up on the shared store quickly.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
    )
    limiter.init_app(app)
    app.config.setdefault("API_TITLE", "eventhub API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", api_spec_options)
    api.init_app(app)
    init_cache(app)
    install_i18n(app)


def register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    for api_blueprint in API_BLUEPRINTS:
        csrf.exempt(api_blueprint)  # bearer tokens or public JSON, never cookies + forms
        api.register_blueprint(api_blueprint)


def register_access(app: Flask) -> None:
    access.install(app, NEEDS)
    activity_recorder.install(app)  # after the access check: only allowed actions are recorded


def register_templating(app: Flask) -> None:
    install_template_helpers(app)
    registration_templating.install(app)


def register_errors(app: Flask) -> None:
    install_error_handlers(app)


def register_cli(app: Flask) -> None:
    app.cli.add_command(eventhub_cli)
