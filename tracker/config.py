"""Configuration defaults and the order in which they are overridden.

Load order (later wins): the defaults below, ``instance/config.py`` if present, the environment
(``DATABASE_URL``, ``TRACKER_SECRET_KEY``, ``TRACKER_ENV``, ``TRACKER_SEARCH_INDEX_DIR``), then the mapping a test passes to ``create_app``.

``TRACKER_ENV=production`` marks a deployment: the app then refuses to start with the development
secret key, session cookies are sent over HTTPS only, and ``tracker seed`` (demo data and accounts)
refuses to run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from tracker.domain.deadlines import DayKind, parse_day_list
from tracker.domain.lockout import parse_rate_limits
from tracker.domain.notifications import parse_days

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

# Environment variable -> config key. SECRET_KEY is namespaced so it cannot collide with other apps.
ENVIRONMENT_KEYS = {
    "DATABASE_URL": "DATABASE_URL",
    "TRACKER_SECRET_KEY": "SECRET_KEY",
    "TRACKER_SEARCH_INDEX_DIR": "SEARCH_INDEX_DIR",
    "TRACKER_SEARCH_BACKEND": "SEARCH_BACKEND",
    "TRACKER_ENV": "TRACKER_ENV",
}

DEVELOPMENT_SECRET_KEY = "dev"
MIN_SECRET_KEY_LENGTH = 16
PRODUCTION = "production"


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


def defaults(instance_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Settings that make a fresh checkout work with no configuration at all."""
    return {
        # "development" or "production"; see the module docstring.
        "TRACKER_ENV": "development",
        # Only good for local development; deployments set TRACKER_SECRET_KEY.
        "SECRET_KEY": DEVELOPMENT_SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'tracker.db'}",
        # Connections each worker process keeps to a server database (PostgreSQL): servers x workers
        # x (pool + overflow) must stay below the server's max_connections. Not used on SQLite.
        "DATABASE_POOL_SIZE": 5,
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (0: none). Only then is
        # the client address (login limits, the list of open logins) the client's, not the proxy's.
        "TRUSTED_PROXIES": 0,
        "DATABASE_MAX_OVERFLOW": 5,
        "SEEDS_DIR": str(REPO_ROOT / "seeds"),
        "PAGE_SIZE": 20,
        # Public pages (home, lists, library, search results) rendered for visitors who are not
        # logged in, kept per process until the search index changes (tracker/web/page_cache.py);
        # 0 turns the cache off.
        "PAGE_CACHE_SIZE": 256,
        # Full-text search (tracker/search): the backend, where its index lives, how long a write
        # waits for the index lock before leaving the update for a retry, whether the first
        # request checks the index against the database (in a background thread), how long a
        # search waits for that check before answering from the index as it is, and whether small
        # segments are merged by a process of their own rather than in the request that wrote.
        "SEARCH_BACKEND": "whoosh",
        "SEARCH_INDEX_DIR": str(Path(instance_path) / "search-index"),
        "SEARCH_LOCK_TIMEOUT": 10.0,
        "SEARCH_CHECK_ON_START": True,
        "SEARCH_MERGE_IN_BACKGROUND": True,
        "SEARCH_READY_WAIT": 5.0,
        "SEARCH_PAGE_SIZE": 10,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(PACKAGE_DIR / "translations"),
        # Filter forms are GET and need no token; any POST form is protected by CSRFProtect.
        "WTF_CSRF_TIME_LIMIT": None,
        # The session cookie: not readable by scripts, not sent on cross-site posts; HTTPS-only in
        # production unless set here (None means "when TRACKER_ENV is production").
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": None,
        # Logins are kept on the server (table login_session): one ends after this long without a
        # request, and in any case this long after logging in (a working day). The last-seen time
        # is written at most every SESSION_TOUCH_SECONDS. PERMANENT_SESSION_LIFETIME follows the
        # lifetime, so the signed cookie itself is not accepted for longer either.
        "SESSION_IDLE_MINUTES": 120,
        "SESSION_LIFETIME_HOURS": 12,
        "SESSION_TOUCH_SECONDS": 60,
        # Strict-Transport-Security max-age, sent over HTTPS and in production (0: never).
        "HSTS_SECONDS": 365 * 24 * 3600,
        # Failed logins per client address ("N per [K] second|minute|hour|day", ";"-separated),
        # counted in the database: the same limit whatever the number of servers and workers.
        "LOGIN_RATE_LIMIT": "5 per minute;30 per hour",
        # Open-data API requests per client address (same syntax; "" for none), counted in the
        # database like failed logins, so every server answers 429 alike (README "Open data").
        "API_RATE_LIMIT": "120 per minute;3000 per hour",
        # Where the bulk downloads are kept, one folder per state of the archive (README "Open data").
        "OPEN_DATA_DIR": str(Path(instance_path) / "open-data"),
        # Per account, whichever address or server the attempts come from (counted in the database):
        # this many failed logins within the window lock the account for LOGIN_LOCK_MINUTES (0: off);
        # an administrator can unlock it earlier at /admin/users.
        "LOGIN_LOCK_ATTEMPTS": 10,
        "LOGIN_LOCK_WINDOW_MINUTES": 15,
        "LOGIN_LOCK_MINUTES": 15,
        # Workflow: an assignment's default deadline, and how long an agency may return it.
        "ASSIGNMENT_DEADLINE_MONTHS": 3,
        "RETURN_WINDOW_DAYS": 7,
        # "calendar" or "working": working days skip weekends and HOLIDAYS and count the 调休
        # MAKEUP_WORKDAYS (ISO dates, e.g. ["2026-10-01", …]); a working-day window runs to the end
        # of its last day in BABEL_DEFAULT_TIMEZONE.
        "RETURN_WINDOW_KIND": "calendar",
        "HOLIDAYS": [],
        "MAKEUP_WORKDAYS": [],
        # 延期申请: how far past the current deadline an agency may ask for (and staff grant).
        "EXTENSION_MAX_DAYS": 90,
        "PROPOSAL_CATEGORIES": [
            "经济发展",
            "城乡建设",
            "社会民生",
            "科教文卫",
            "生态环境",
            "政治法律",
            "其他",
        ],
        # E-mail (issue 15, tracker/mail.py): notifications go out over SMTP after commit. With no
        # MAIL_SERVER, mail is kept in the queue (mail_outbox) and nothing is sent.
        "MAIL_SERVER": "",
        # Flask-Mailman would hold mail in memory under TESTING; the tests talk to a real SMTP server
        "MAIL_BACKEND": "smtp",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,  # STARTTLS on MAIL_PORT (often 587)
        "MAIL_USE_SSL": False,  # TLS from the start (often 465)
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "提案系统 <noreply@localhost>",
        "MAIL_TIMEOUT": 10,  # seconds to wait for the mail server (in the sender's thread, never a page)
        "MAIL_SEND_AFTER_COMMIT": True,  # False: only `tracker mail send` / `tracker remind` send
        "MAIL_RETRY_SECONDS": 60,  # the first wait after a failure; it doubles each time, up to 6 hours
        "MAIL_MAX_ATTEMPTS": 10,  # automatic tries; `tracker mail send` still tries after that
        # The address the links in e-mails start with (the site as its users reach it).
        "BASE_URL": "http://127.0.0.1:5000",
        # `tracker remind`: reminders this many days before a deadline, the first day it is overdue,
        # then every REMINDER_OVERDUE_EVERY_DAYS days (0: not again).
        "REMINDER_DAYS_BEFORE": [15, 3],
        "REMINDER_OVERDUE_EVERY_DAYS": 7,
        # The archive import (issue 13): a parse or pairing below this confidence waits for review;
        # the staff upload's limits (files, bytes per request, bytes unpacked from a .zip).
        "IMPORT_REVIEW_THRESHOLD": 0.6,
        "IMPORT_UPLOAD_MAX_FILES": 500,
        "IMPORT_UPLOAD_MAX_BYTES": 100 * 1024 * 1024,
        "IMPORT_UPLOAD_MAX_UNPACKED": 500 * 1024 * 1024,
        # Requests up to 8 MiB, so an oversized paste reaches the form and gets a clear message
        # (with the text kept) instead of being cut off; the form itself limits each field.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 8 * 1024 * 1024,
    }


def is_production(config: Mapping[str, Any]) -> bool:
    return config.get("TRACKER_ENV") == PRODUCTION


def finish(config: dict[str, Any]) -> None:
    """Settings that follow from others, and the checks that stop a bad deployment from starting."""
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = is_production(config)
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(config["SESSION_LIFETIME_HOURS"]))
    _check_calendar(config)
    try:
        parse_days(config.get("REMINDER_DAYS_BEFORE", []), "REMINDER_DAYS_BEFORE")
        int(config.get("REMINDER_OVERDUE_EVERY_DAYS", 0))
    except ValueError as error:
        raise ConfigError(str(error)) from None
    try:
        parse_rate_limits(str(config.get("LOGIN_RATE_LIMIT", "")))
    except ValueError as error:
        raise ConfigError(f"LOGIN_RATE_LIMIT: {error}") from None
    try:
        parse_rate_limits(str(config.get("API_RATE_LIMIT", "")))
    except ValueError as error:
        raise ConfigError(f"API_RATE_LIMIT: {error}") from None
    if is_production(config):
        key = config.get("SECRET_KEY") or ""
        if key == DEVELOPMENT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                "TRACKER_ENV=production needs TRACKER_SECRET_KEY set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (the development key is refused)"
            )


def _check_calendar(config: dict[str, Any]) -> None:
    """A mistyped calendar would silently move every return window: refuse to start instead. The
    day lists are kept as dates."""
    kinds = [k.value for k in DayKind]
    if config.get("RETURN_WINDOW_KIND", "calendar") not in kinds:
        raise ConfigError(f"RETURN_WINDOW_KIND must be one of {', '.join(kinds)}")
    for key in ("HOLIDAYS", "MAKEUP_WORKDAYS"):
        value = config.get(key, [])
        if isinstance(value, str):  # an environment-style "2026-10-01,2026-10-02"
            value = [v for v in value.split(",") if v.strip()]
        try:
            config[key] = sorted(parse_day_list(value, key))
        except (TypeError, ValueError) as error:
            raise ConfigError(str(error)) from None


def load_config(app: Flask, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` in the documented order."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    for env_name, key in ENVIRONMENT_KEYS.items():
        value = os.environ.get(env_name)
        if value:
            app.config[key] = value
    if test_config is not None:
        app.config.from_mapping(test_config)
    finish(app.config)
