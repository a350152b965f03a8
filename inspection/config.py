"""Configuration defaults; the environment overrides them (DATABASE_URL, INSPECTION_*)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Config


class Defaults:
    """Settings every deployment starts from."""

    # Required in production (the same on every server); in development a key is kept in the
    # instance folder.
    SECRET_KEY: str | None = None
    # SQLite file in the instance folder unless DATABASE_URL names another database.
    DATABASE_URL: str | None = None
    # Production is PostgreSQL, or INSPECTION_PRODUCTION=true: the secret key and the public
    # URL must then be set, since each server would otherwise make its own.
    PRODUCTION = False

    # Where files are kept: "local" (FILES_DIR) or "s3" (an S3-compatible bucket: MinIO,
    # Aliyun OSS, Tencent COS, AWS S3), which several app servers can share.
    STORAGE = "local"
    FILES_DIR: str | None = None
    S3_ENDPOINT_URL: str | None = None
    S3_BUCKET: str | None = None
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_REGION: str | None = None
    S3_PREFIX = ""
    S3_ADDRESSING_STYLE = "path"  # "virtual" for Aliyun OSS and Tencent COS
    # Send downloads as redirects to short-lived presigned URLs instead of through the app
    # (after the same permission check); only the S3 backend has them.
    STORAGE_PRESIGNED_DOWNLOADS = False
    STORAGE_PRESIGN_SECONDS = 300

    # The scheduler writes a heartbeat this often; /healthz?scheduler=1 fails when the last one
    # is older than the stale limit.
    HEARTBEAT_SECONDS = 30
    HEARTBEAT_STALE_SECONDS = 120

    PARK_NAME = "示范经济开发区"
    TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    WTF_CSRF_TIME_LIMIT = 12 * 3600

    # A request may carry several photos; each photo has its own, smaller limit.
    MAX_CONTENT_LENGTH = 80 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    PHOTO_MAX_BYTES = 20 * 1024 * 1024
    PHOTO_MAX_PIXELS = 60_000_000
    PHOTO_DISPLAY_SIZE = 1600
    PHOTO_THUMB_SIZE = 320
    DOCUMENT_MAX_BYTES = 20 * 1024 * 1024

    # Failed logins: a user name from one address may fail this often before each further
    # try waits (doubling, up to the longest delay); one address this often across names.
    LOGIN_FREE_FAILURES = 5
    LOGIN_ADDRESS_FREE_FAILURES = 20
    LOGIN_MAX_DELAY_SECONDS = 15 * 60
    LOGIN_WINDOW_MINUTES = 60
    # An account is locked for addresses it never logged in from after this many failures
    # from at least this many addresses (its admins are told); known addresses still work.
    LOGIN_LOCK_FAILURES = 50
    LOGIN_LOCK_ADDRESSES = 10
    # A logged-in session ends after this many idle minutes; the page warns first.
    SESSION_IDLE_MINUTES = 30
    SESSION_IDLE_WARNING_MINUTES = 2
    # Behind HTTPS: Secure cookies and HSTS. Set INSPECTION_HTTPS=true there.
    HTTPS = False
    HSTS_SECONDS = 365 * 24 * 3600
    # A reset link works once, for this long.
    RESET_LINK_HOURS = 24

    # The security log: entries older than this are archived to files (at least 180 days).
    SECURITY_LOG_RETENTION_DAYS = 180
    SECURITY_ARCHIVE_DIR: str | None = None

    # A waiting second scheduler checks this often whether the first one is gone.
    SCHEDULER_LOCK_POLL_SECONDS = 10

    # Email: none is sent until INSPECTION_MAIL_SERVER names an SMTP server.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # SMTPS from the start (port 465)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "园区安全环保检查 <noreply@localhost>"
    MAIL_TIMEOUT = 20
    # Where users open the app: links in emails and webhooks start with this. Required in
    # production; http://127.0.0.1:5000 in development.
    PUBLIC_URL: str | None = None
    WEBHOOK_TIMEOUT = 10
    # The outbox: how often the scheduler sends, how many at a time, and the back-off.
    DELIVERY_INTERVAL_SECONDS = 15
    DELIVERY_BATCH = 50
    DELIVERY_LEASE_SECONDS = 300
    DELIVERY_RETRY_BASE_SECONDS = 60
    DELIVERY_RETRY_MAX_SECONDS = 3600
    # How often the scheduler looks for reports to build.
    REPORT_INTERVAL_SECONDS = 5

    PAGE_SIZE = 20
    IMPORT_MAX_ROWS = 5000


def load(app, test_config: dict | None) -> None:
    """Fill app.config from the defaults, the environment and an optional test mapping."""
    if test_config is None:
        app.config.update(from_environment())
        refuse_unsafe_production(app.config)
    else:
        app.config.from_object(Defaults)
        app.config.update(test_config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["PUBLIC_URL"]:
        app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'inspection.sqlite'}"
    app.config["DATABASE_URL"] = normalise_database_url(app.config["DATABASE_URL"])
    if not app.config["FILES_DIR"]:
        app.config["FILES_DIR"] = str(instance / "files")
    if not app.config["SECURITY_ARCHIVE_DIR"]:
        app.config["SECURITY_ARCHIVE_DIR"] = str(instance / "security-archive")
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _development_secret(instance)


def from_environment() -> Config:
    """The defaults overridden by the environment (DATABASE_URL, INSPECTION_*)."""
    config = Config(str(Path.cwd()))
    config.from_object(Defaults)
    config.from_prefixed_env("INSPECTION")
    if os.environ.get("DATABASE_URL"):
        config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return config


class ConfigurationError(RuntimeError):
    """The settings cannot run this deployment; the message says what to set."""


def is_production(config) -> bool:
    """PostgreSQL, or INSPECTION_PRODUCTION=true, means production."""
    url = config.get("DATABASE_URL") or ""
    return bool(config.get("PRODUCTION")) or url.startswith(("postgres://", "postgresql"))


def production_problems(config) -> list[str]:
    """What production needs that the settings lack, each said with what to set."""
    from inspection.storage import settings_problem

    problems = []
    if is_production(config):
        if not config.get("SECRET_KEY"):
            problems.append(
                "INSPECTION_SECRET_KEY is not set. Set it to the same long random value on every"
                " server and the scheduler, for example the output of"
                " `python3 -c 'import secrets; print(secrets.token_hex(32))'`; without it each"
                " server would sign sessions with its own key and log users out."
            )
        if not config.get("PUBLIC_URL"):
            problems.append(
                "INSPECTION_PUBLIC_URL is not set. Set it to the HTTPS address users open, for"
                " example https://inspection.example.gov.cn; links in emails and webhooks start"
                " with it."
            )
    storage = settings_problem(config)
    if storage:
        problems.append(storage)
    return problems


def refuse_unsafe_production(config) -> None:
    """Stop before serving anything when production settings are missing."""
    problems = production_problems(config)
    if problems:
        raise ConfigurationError(
            "Refusing to start: " + " ".join(problems) + " (See the README, Production.)"
        )


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(instance: Path) -> str:
    """Keep a random key in the instance folder so sessions survive a restart."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
