"""Configuration comes from the environment and fails fast in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventhub import create_app
from eventhub.config import ConfigError, load


def test_defaults_are_the_embedded_setup(tmp_path: Path) -> None:
    config = load({"EVENTHUB_INSTANCE_PATH": str(tmp_path)}, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'eventhub.sqlite'}"
    assert config["CELERY_BROKER_URL"].startswith("sqla+sqlite:///")
    assert config["MAIL_SERVER"] is None
    assert config["EVENTHUB_TIMEZONE"] == "Asia/Hong_Kong"
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_secret_is_generated_once(tmp_path: Path) -> None:
    first = load({"EVENTHUB_INSTANCE_PATH": str(tmp_path)}, {})["SECRET_KEY"]
    second = load({"EVENTHUB_INSTANCE_PATH": str(tmp_path)}, {})["SECRET_KEY"]
    assert len(first) >= 32
    assert first == second
    assert (tmp_path / "secret_key").read_text() == first


def test_environment_variables_are_read(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgres://u@db/eventhub",
        "CELERY_BROKER_URL": "redis://r:6379/0",
        "REDIS_URL": "redis://r:6379/1",
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_PORT": "587",
        "MAIL_USE_TLS": "true",
        "MAIL_DEFAULT_SENDER": "Series <no-reply@example.org>",
        "EVENTHUB_BASE_URL": "https://events.example.org",
        "EVENTHUB_TIMEZONE": "Europe/London",
        "SECRET_KEY": "s" * 40,
    }
    config = load({"EVENTHUB_INSTANCE_PATH": str(tmp_path)}, env)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/eventhub"
    assert config["MAIL_PORT"] == 587
    assert config["MAIL_USE_TLS"] is True
    assert config["EVENTHUB_TIMEZONE"] == "Europe/London"
    assert config["REDIS_URL"] == "redis://r:6379/1"


def test_production_requires_a_secret(tmp_path: Path) -> None:
    env = {
        "EVENTHUB_ENV": "production",
        "DATABASE_URL": "postgresql://db/x",
        "EVENTHUB_BASE_URL": "https://e.example.org",
    }
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load({"EVENTHUB_INSTANCE_PATH": str(tmp_path)}, env)


def test_production_refuses_sqlite(tmp_path: Path) -> None:
    env = {
        "EVENTHUB_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "EVENTHUB_BASE_URL": "https://e.example.org",
    }
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load({"EVENTHUB_INSTANCE_PATH": str(tmp_path)}, env)


def test_production_sets_secure_cookies(tmp_path: Path) -> None:
    env = {
        "EVENTHUB_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "DATABASE_URL": "postgresql://db/x",
        "EVENTHUB_BASE_URL": "https://e.example.org",
    }
    config = load({"EVENTHUB_INSTANCE_PATH": str(tmp_path)}, env)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_bad_number_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        load({"EVENTHUB_INSTANCE_PATH": str(tmp_path)}, {"MAIL_PORT": "twenty-five"})


def test_retention_days_are_read_and_checked(tmp_path: Path) -> None:
    instance = {"EVENTHUB_INSTANCE_PATH": str(tmp_path)}
    assert load(instance, {})["EVENTHUB_RETENTION_DAYS"] is None
    assert load(instance, {"EVENTHUB_RETENTION_DAYS": "365"})["EVENTHUB_RETENTION_DAYS"] == 365
    with pytest.raises(ConfigError, match="EVENTHUB_RETENTION_DAYS"):
        load(instance, {"EVENTHUB_RETENTION_DAYS": "0"})


def test_templates_folder_is_top_level(tmp_path: Path) -> None:
    app = create_app({"EVENTHUB_INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert Path(app.template_folder or "").name == "templates"
    assert Path(app.template_folder or "").parent == Path(__file__).resolve().parents[2]


def test_worker_niceness_is_read_and_checked(tmp_path: Path) -> None:
    instance = {"EVENTHUB_INSTANCE_PATH": str(tmp_path)}
    assert load(instance, {})["EVENTHUB_WORKER_NICE"] == 10
    assert load(instance, {"EVENTHUB_WORKER_NICE": "0"})["EVENTHUB_WORKER_NICE"] == 0
    assert load(instance, {"EVENTHUB_WORKER_NICE": "19"})["EVENTHUB_WORKER_NICE"] == 19
    for refused in ("-5", "20", "ten", "2.5"):
        with pytest.raises(ConfigError, match="EVENTHUB_WORKER_NICE"):
            load(instance, {"EVENTHUB_WORKER_NICE": refused})
