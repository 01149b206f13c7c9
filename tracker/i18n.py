"""Flask-Babel wiring: the UI speaks the configured default locale (zh_CN unless configured).

Babel resolves "zh_CN" to the CLDR locale zh_Hans_CN and looks for catalogs under that name, so the
Simplified Chinese catalog lives in translations/zh_Hans_CN/ (a "zh_CN" folder would never load).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import Babel, get_locale

babel = Babel()


def html_lang() -> str:
    """BCP 47 tag for the lang attribute, language and region only: zh_Hans_CN -> zh-CN."""
    locale = get_locale()
    if locale is None:
        return "zh-CN"
    return "-".join(part for part in (locale.language, locale.territory) if part)


def _template_globals() -> dict[str, Any]:
    return {"html_lang": html_lang()}


def init_app(app: Flask) -> None:
    babel.init_app(app)
    app.context_processor(_template_globals)
