"""Proposal-and-reply tracker: proposals split into suggestions, replies linked point by point."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import db, i18n, mail, web
from tracker.config import REPO_ROOT, load_config
from tracker.services import search_sync

csrf = CSRFProtect()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: paths, config, database, search, i18n, CSRF, blueprints. Wiring only."""
    app = Flask(
        __name__,
        instance_path=str(REPO_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)
    db.init_app(app)
    search_sync.init_app(app)
    i18n.init_app(app)
    mail.init_app(app)  # notifications by e-mail, sent after commit (issue 15)
    csrf.init_app(app)
    web.init_app(app)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:  # the client's address and scheme as the proxies in front of us saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app
