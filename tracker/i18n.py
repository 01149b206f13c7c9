"""Flask-Babel wiring: the UI speaks Simplified Chinese (zh_CN, the default) or English (issue 15).

Babel resolves "zh_CN" to the CLDR locale zh_Hans_CN and looks for catalogs under that name, so the
Simplified Chinese catalog lives in translations/zh_Hans_CN/ (a "zh_CN" folder would never load);
the English one in translations/en/. Which one a request gets is tracker.domain.locales.choose:
the account's choice, the browser's cookie, Accept-Language, the default.
"""

from __future__ import annotations

from typing import Any

from babel import support
from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import Babel, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

from tracker.domain import locales

babel = Babel()


def select_locale() -> str:
    """The locale of this request (Flask-Babel asks once per request and keeps the answer)."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", locales.DEFAULT)
    if not has_request_context():
        return default
    # Static files and the favicon never load the user: asking would cost a database round trip.
    account = getattr(current_user, "locale", None) if request.endpoint != "static" else None
    return locales.choose(
        account=account,
        cookie=request.cookies.get(locales.COOKIE),
        accepted=list(request.accept_languages),
        default=default,
    )


def html_lang() -> str:
    """BCP 47 tag for the lang attribute, language and region only: zh_Hans_CN -> zh-CN."""
    locale = get_locale()
    if locale is None:
        return "zh-CN"
    return "-".join(part for part in (locale.language, locale.territory) if part)


def current_code() -> str:
    """This request's locale as the switch names it (zh_CN, en)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


def _template_globals() -> dict[str, Any]:
    return {"html_lang": html_lang(), "ui_locale": current_code(), "ui_locales": locales.NATIVE_NAMES}


def _vary(response: Response) -> Response:
    # The same address answers in either language, by the cookie or Accept-Language: shared caches
    # in front of the app must keep the two apart too.
    if response.mimetype == "text/html":
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
    return response


def _translations() -> support.NullTranslations:
    """This request's catalog. Flask-Babel's own lookup, made for every string a template
    translates (two hundred on a proposal page), resolves the context three times and formats the
    locale's name to key its cache; here the locale object itself is the key (Flask-Babel's
    ``force_locale`` sets another, so an e-mail in its reader's language still gets theirs)."""
    locale = get_locale()
    found = _CATALOGS.get(locale)
    if found is None:
        found = get_translations()
        if locale is not None:
            _CATALOGS[locale] = found
    return found


_CATALOGS: dict[Any, support.NullTranslations] = {}


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's ``gettext`` (the same lookup and formatting) through ``_translations``."""
    translated = _translations().ugettext(string)
    return translated % variables if variables else translated


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Flask-Babel's ``lazy_gettext`` over ``gettext`` above: the labels of stored codes and form
    fields are such strings, turned into text a few hundred times a results page."""
    return LazyString(gettext, string, **variables)


def _install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    _install_template_gettext(app)
    app.context_processor(_template_globals)
    app.after_request(_vary)
