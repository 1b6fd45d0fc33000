"""Configuration from environment variables, with safe defaults for development."""

from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _base_url(value: str | None, production: bool) -> str | None:
    """Check ``REM_BASE_URL``: the address people use to reach the app, without a slash at
    the end. Every link that leaves the app is built from it, never from a request."""
    value = (value or "").strip()
    if not value:
        if production:
            raise ConfigError(
                "REM_BASE_URL is not set. In production every link that leaves the app "
                "(password-reset and invitation mails, QR codes, downloads) is built from it, "
                "never from the Host header of a request. Set it to the address people use, "
                "for example: REM_BASE_URL=https://rem.example.org"
            )
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            f"REM_BASE_URL must be a plain address such as https://rem.example.org "
            f"(optionally with a path), not {value!r}."
        )
    return value.rstrip("/")


def _hosts(value: str | None) -> list[str]:
    """Split ``REM_TRUSTED_HOSTS`` (comma- or space-separated host names)."""
    return [host.strip().lower() for host in (value or "").replace(",", " ").split()
            if host.strip()]


def from_environment(instance_path: str) -> dict:
    """Build the Flask config from ``REM_*`` variables."""
    production = os.environ.get("REM_ENV", "development") == "production"
    secret = os.environ.get("REM_SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError(
                "REM_SECRET_KEY is not set. In production the app needs a long random secret key, "
                "for example: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        secret = "development-only-not-secret"  # noqa: S105 - never used in production
    database_url = os.environ.get("REM_DATABASE_URL") or (
        "sqlite:///" + os.path.join(instance_path, "rem.sqlite3")
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    ratelimit_uri = os.environ.get("REM_RATELIMIT_STORAGE_URI", "rem+sql://")
    base_url = _base_url(os.environ.get("REM_BASE_URL"), production)
    trusted_hosts = _hosts(os.environ.get("REM_TRUSTED_HOSTS"))
    if base_url:
        trusted_hosts.insert(0, urlsplit(base_url).hostname)
    return {
        "REM_PRODUCTION": production,
        # Links in mails, QR codes and downloads (rem/core/urls.py external_url).
        "REM_BASE_URL": base_url,
        # Flask answers 400 to a request for any other host (rem/core/urls.py); in
        # development only when REM_TRUSTED_HOSTS is set.
        "REM_TRUSTED_HOSTS": trusted_hosts,
        "TRUSTED_HOSTS": trusted_hosts if production or os.environ.get("REM_TRUSTED_HOSTS")
        else None,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("REM_SECURE_COOKIES", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("REM_SECURE_COOKIES", production),
        # The session cookie is sent again when its sign-in's "last seen" moves (at most
        # once a minute, rem.accounts.signins.load), not on every answer: signing it anew
        # cost every request 0.6 ms, a third of a poll's.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=int(os.environ.get("REM_SESSION_MINUTES", "240"))
        ),
        "MAX_CONTENT_LENGTH": int(os.environ.get("REM_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))),
        "REM_MAX_IMPORT_BYTES": int(os.environ.get("REM_MAX_IMPORT_BYTES",
                                                   str(10 * 1024 * 1024))),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "REM_LANGUAGES": ["nl", "en"],
        "REM_DOT_TIMEOUT": float(os.environ.get("REM_DOT_TIMEOUT", "20")),
        "REM_MAP_MAX_NODES": int(os.environ.get("REM_MAP_MAX_NODES", "3000")),
        # A map page with more items than this loads its drawing after itself (a drawing
        # has about 1.2 KB per item and link: the page stays well under 700 KB).
        "REM_MAP_INLINE_NODES": int(os.environ.get("REM_MAP_INLINE_NODES", "400")),
        # A timeline longer than this is shown in pages of this many items.
        "REM_TIMELINE_PAGE_SIZE": int(os.environ.get("REM_TIMELINE_PAGE_SIZE", "250")),
        # Rendered maps, keyed by content: share this folder between machines, or not (both
        # are correct; see docs/deployment.md). Empty means instance/map-cache.
        "REM_MAP_CACHE_DIR": os.environ.get("REM_MAP_CACHE_DIR") or None,
        # Uploaded imports wait here between preview and import: with several machines,
        # a shared folder (or sticky sessions). Empty means instance/imports.
        "REM_IMPORT_DIR": os.environ.get("REM_IMPORT_DIR") or None,
        # Behind a reverse proxy: trust its X-Forwarded-* headers (this many proxies).
        "REM_PROXY_FIX": int(os.environ.get("REM_PROXY_FIX", "0") or 0),
        # Counted in the app's own database unless a shared store such as redis:// is given,
        # so that several app processes count sign-in attempts together.
        "RATELIMIT_STORAGE_URI": ratelimit_uri,
        "RATELIMIT_STORAGE_OPTIONS": (
            {"database_url": database_url} if ratelimit_uri.startswith("rem+sql") else {}
        ),
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_ENABLED": _bool("REM_RATELIMIT_ENABLED", True),
        "REM_DEMO_ALLOWED": not production,
        # How passwords are hashed: werkzeug's scrypt at full cost. Not read from the
        # environment; the test suite lowers the cost to spend its time on rem, not scrypt.
        "REM_PASSWORD_HASH": "scrypt",
        "WTF_CSRF_TIME_LIMIT": None,
        # Invitations and mail (mail is optional: without a server, links are shown on screen).
        "REM_INVITE_DAYS": int(os.environ.get("REM_INVITE_DAYS", "14")),
        "REM_MAIL_SERVER": os.environ.get("REM_MAIL_SERVER") or None,
        "REM_MAIL_PORT": int(os.environ.get("REM_MAIL_PORT", "587")),
        "REM_MAIL_USERNAME": os.environ.get("REM_MAIL_USERNAME") or None,
        "REM_MAIL_PASSWORD": os.environ.get("REM_MAIL_PASSWORD") or None,
        "REM_MAIL_FROM": os.environ.get("REM_MAIL_FROM") or None,
        "REM_MAIL_USE_TLS": _bool("REM_MAIL_USE_TLS", True),
        # Failed sign-ins allowed per account and per client address before a wait
        # (rem/accounts/lockout.py); a browser that signed in before has its own count.
        "REM_SIGNIN_LIMIT_ACCOUNT": os.environ.get("REM_SIGNIN_LIMIT_ACCOUNT")
        or "10 per 15 minutes",
        "REM_SIGNIN_LIMIT_ADDRESS": os.environ.get("REM_SIGNIN_LIMIT_ADDRESS")
        or "50 per 15 minutes",
        # Evaluation sessions (rem/workshops/public.py has the defaults): limits for people
        # joining and sending stories without an account, e.g. "300 per minute".
        **{name: os.environ[name] for name in (
            "REM_JOIN_LIMIT_GUESSES", "REM_JOIN_LIMIT_ADDRESS", "REM_STORY_LIMIT_ADDRESS",
            "REM_STORY_LIMIT_PARTICIPANT", "REM_STORY_LIMIT_SESSION") if os.environ.get(name)},
    }
