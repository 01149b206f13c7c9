"""Proposal-and-reply tracker: proposals split into suggestions, replies linked point by point."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect

from tracker import db, i18n, web
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
    csrf.init_app(app)
    web.init_app(app)
    return app
