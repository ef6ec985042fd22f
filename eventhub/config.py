"""Settings: defaults, then environment variables, then a check of what production requires."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent
# Installed from the wheel, the package carries its templates (setup.py); in a checkout they sit
# beside it at the top of the repository.
INSTALLED = (PACKAGE_ROOT / "templates").is_dir()
# A checkout keeps its instance folder at its top; an installed copy has no such place (the
# package sits in site-packages), so it uses `instance/` in the directory it is started from.
DEFAULT_INSTANCE = Path("instance").resolve() if INSTALLED else PROJECT_ROOT / "instance"
DEFAULT_PORT = 5000


def shipped_folder(name: str) -> Path:
    """templates/, static/, migrations/ or translations/ of this copy of eventhub."""
    return (PACKAGE_ROOT if INSTALLED else PROJECT_ROOT) / name


class ConfigError(RuntimeError):
    """A setting is missing or unusable; the message names it."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Environment variable -> (config key, parser). Names are a contract documented in README.md.
_ENV: dict[str, tuple[str, Any]] = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "CELERY_BROKER_URL": ("CELERY_BROKER_URL", str),
    "REDIS_URL": ("REDIS_URL", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", _bool),
    "MAIL_USE_SSL": ("MAIL_USE_SSL", _bool),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
    "MAIL_DKIM_SELECTOR": ("MAIL_DKIM_SELECTOR", str),
    "MAIL_DKIM_DOMAIN": ("MAIL_DKIM_DOMAIN", str),
    "MAIL_DKIM_PRIVATE_KEY_FILE": ("MAIL_DKIM_PRIVATE_KEY_FILE", str),
    "EVENTHUB_BASE_URL": ("EVENTHUB_BASE_URL", str),
    "EVENTHUB_PORT": ("EVENTHUB_PORT", int),
    "EVENTHUB_TIMEZONE": ("EVENTHUB_TIMEZONE", str),
    "EVENTHUB_ENV": ("EVENTHUB_ENV", str),
    "EVENTHUB_UPLOAD_FOLDER": ("EVENTHUB_UPLOAD_FOLDER", str),
    "EVENTHUB_RATELIMIT_REGISTRATION": ("EVENTHUB_RATELIMIT_REGISTRATION", str),
    "EVENTHUB_RATELIMIT_LOGIN": ("EVENTHUB_RATELIMIT_LOGIN", str),
    "EVENTHUB_INSTANCE_PATH": ("EVENTHUB_INSTANCE_PATH", str),
    "EVENTHUB_PUBLIC_CACHE": ("EVENTHUB_PUBLIC_CACHE", str),
    "EVENTHUB_SPEAKER_INVITATION_DAYS": ("EVENTHUB_SPEAKER_INVITATION_DAYS", int),
    "EVENTHUB_TEAM_INVITATION_DAYS": ("EVENTHUB_TEAM_INVITATION_DAYS", int),
    "EVENTHUB_TRUSTED_HOSTS": ("EVENTHUB_TRUSTED_HOSTS", str),
    "EVENTHUB_TRUSTED_PROXIES": ("EVENTHUB_TRUSTED_PROXIES", int),
    "EVENTHUB_REQUIRE_2FA": ("EVENTHUB_REQUIRE_2FA", _bool),
    "EVENTHUB_RETENTION_DAYS": ("EVENTHUB_RETENTION_DAYS", int),
    "EVENTHUB_WORKER_NICE": ("EVENTHUB_WORKER_NICE", int),
}

# HMAC keys shorter than this are guessable offline from one signed cookie.
MIN_SECRET_KEY_BYTES = 32

# Niceness range for a lowered priority (setpriority): 19 is the lowest.
LOWEST_PRIORITY = 19

# Development answers on the loopback names as well as the base URL's host.
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def defaults(instance_path: Path) -> dict[str, Any]:
    """The embedded default: everything in `instance/`, no server needed."""
    return {
        "EVENTHUB_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'eventhub.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "CELERY_BROKER_URL": f"sqla+sqlite:///{instance_path / 'celery-broker.sqlite'}",
        "REDIS_URL": None,
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_DEFAULT_SENDER": "eventhub <no-reply@eventhub.localhost>",
        "MAIL_DKIM_SELECTOR": None,
        "MAIL_DKIM_DOMAIN": None,
        "MAIL_DKIM_PRIVATE_KEY_FILE": None,
        # None: derived from EVENTHUB_PORT, the port `python3 run.py` serves on (see load()).
        "EVENTHUB_BASE_URL": None,
        "EVENTHUB_PORT": DEFAULT_PORT,
        "EVENTHUB_TIMEZONE": "Asia/Hong_Kong",
        "EVENTHUB_UPLOAD_FOLDER": str(instance_path / "uploads"),
        "EVENTHUB_RATELIMIT_REGISTRATION": "20/minute",
        "EVENTHUB_RATELIMIT_LOGIN": "10/minute",
        "EVENTHUB_SPEAKER_INVITATION_DAYS": 7,
        "EVENTHUB_TEAM_INVITATION_DAYS": 7,
        # Unset keeps registrations; a number erases them that many days after a series ends.
        "EVENTHUB_RETENTION_DAYS": None,
        "EVENTHUB_TRUSTED_PROXIES": 0,
        # True: every organiser must turn on the second factor before reaching anything else.
        "EVENTHUB_REQUIRE_2FA": False,
        # The Celery worker's niceness (worker_priority): requests first when they share cores.
        "EVENTHUB_WORKER_NICE": 10,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Seat allocation takes a lock; past this many seconds the request answers 503.
        "EVENTHUB_LOCK_TIMEOUT_SECONDS": 5,
    }


def load(overrides: Mapping[str, Any] | None, environ: Mapping[str, str]) -> dict[str, Any]:
    """Build the configuration: defaults < environment < explicit overrides (tests)."""
    overrides = dict(overrides or {})
    instance = Path(
        overrides.get("EVENTHUB_INSTANCE_PATH")
        or environ.get("EVENTHUB_INSTANCE_PATH")
        or DEFAULT_INSTANCE
    )
    config = defaults(instance)
    config["EVENTHUB_INSTANCE_PATH"] = str(instance)
    for name, (key, parse) in _ENV.items():
        raw = environ.get(name)
        if raw is not None and raw != "":
            try:
                config[key] = parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{name}={raw!r} is not valid: {exc}") from exc
    config.update(overrides)
    if not config["EVENTHUB_BASE_URL"]:
        # Emailed links and calendar URLs must reach the server actually running.
        config["EVENTHUB_BASE_URL"] = f"http://127.0.0.1:{config['EVENTHUB_PORT']}"
    _normalise_database_url(config)
    _trusted_hosts(config)
    _check(config, instance)
    return config


def _normalise_database_url(config: dict[str, Any]) -> None:
    url: str = config["SQLALCHEMY_DATABASE_URI"]
    # Hosting platforms hand out postgres:// URLs; psycopg 3 is the driver we ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    config["SQLALCHEMY_DATABASE_URI"] = url
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 15})
    # Server connections are pinged only after sitting idle (database.install_engine_listeners),
    # not at every checkout as pool_pre_ping does.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _trusted_hosts(config: dict[str, Any]) -> None:
    """Flask 3.1 answers 400 to any other Host: the base URL's host, then the listed extras."""
    if config.get("TRUSTED_HOSTS") is not None:
        return
    base = urlsplit(str(config["EVENTHUB_BASE_URL"])).hostname
    hosts = [base] if base else []
    extra = str(config.get("EVENTHUB_TRUSTED_HOSTS") or "")
    hosts += [name.strip() for name in extra.split(",") if name.strip()]
    if not is_production(config):
        hosts += _LOOPBACK_HOSTS
    config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))


def is_production(config: Mapping[str, Any]) -> bool:
    return config.get("EVENTHUB_ENV") == "production"


DKIM_SETTINGS = ("MAIL_DKIM_SELECTOR", "MAIL_DKIM_DOMAIN", "MAIL_DKIM_PRIVATE_KEY_FILE")


def _check_dkim(config: Mapping[str, Any]) -> None:
    """All three DKIM settings or none; a half-configured signer would send unsigned mail."""
    given = [name for name in DKIM_SETTINGS if config.get(name)]
    if given and len(given) < len(DKIM_SETTINGS):
        missing = ", ".join(name for name in DKIM_SETTINGS if name not in given)
        raise ConfigError(f"DKIM signing needs {missing} as well as {', '.join(given)}.")
    key_file = config.get("MAIL_DKIM_PRIVATE_KEY_FILE")
    if key_file and not Path(key_file).is_file():
        raise ConfigError(f"MAIL_DKIM_PRIVATE_KEY_FILE={key_file!r} is not a readable file.")


def _check(config: dict[str, Any], instance: Path) -> None:
    _check_dkim(config)
    retention = config.get("EVENTHUB_RETENTION_DAYS")
    if retention is not None and retention < 1:
        # 0 would erase every registrant the minute a series' last session ends.
        raise ConfigError("EVENTHUB_RETENTION_DAYS must be at least 1 (or unset to keep).")
    nice = config.get("EVENTHUB_WORKER_NICE")
    if not isinstance(nice, int) or not 0 <= nice <= LOWEST_PRIORITY:
        # A negative niceness would need privileges; above 19 the kernel clamps silently.
        raise ConfigError(
            f"EVENTHUB_WORKER_NICE must be a whole number from 0 (unchanged) to "
            f"{LOWEST_PRIORITY} (lowest priority), not {nice!r}."
        )
    if is_production(config):
        if not config.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY must be set when EVENTHUB_ENV=production.")
        if len(str(config["SECRET_KEY"]).encode()) < MIN_SECRET_KEY_BYTES:
            raise ConfigError(
                f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes in production "
                "(e.g. python3 -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            raise ConfigError(
                "DATABASE_URL must point at PostgreSQL when EVENTHUB_ENV=production "
                "(SQLite is the embedded default for one machine only)."
            )
        if not str(config["EVENTHUB_BASE_URL"]).startswith("https://"):
            raise ConfigError("EVENTHUB_BASE_URL must be an https:// URL in production.")
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    elif not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _development_secret(instance)


def _development_secret(instance: Path) -> str:
    """Generate a secret once into instance/ so sessions survive restarts in development."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    # O_EXCL: when web and worker start together, the first writer wins and both read it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
