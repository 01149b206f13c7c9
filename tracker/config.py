"""Configuration defaults and the order in which they are overridden.

Load order (later wins): the defaults below, ``instance/config.py`` if present, the environment
(``DATABASE_URL``, ``TRACKER_SECRET_KEY``), then the mapping a test passes to ``create_app``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

# Environment variable -> config key. SECRET_KEY is namespaced so it cannot collide with other apps.
ENVIRONMENT_KEYS = {
    "DATABASE_URL": "DATABASE_URL",
    "TRACKER_SECRET_KEY": "SECRET_KEY",
}


def defaults(instance_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Settings that make a fresh checkout work with no configuration at all."""
    return {
        # Only good for local development; deployments set TRACKER_SECRET_KEY.
        "SECRET_KEY": "dev",
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'tracker.db'}",
        "SEEDS_DIR": str(REPO_ROOT / "seeds"),
        "PAGE_SIZE": 20,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(PACKAGE_DIR / "translations"),
        # Filter forms are GET and need no token; any POST form is protected by CSRFProtect.
        "WTF_CSRF_TIME_LIMIT": None,
    }


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
