"""Which language the UI speaks to a request (issue 15, "English").

The order a mature site follows: what a signed-in person chose (kept on the account, so every device
agrees), else what this browser chose (a cookie), else the browser's Accept-Language, else the
default. Only the primary language subtag of Accept-Language counts: zh, zh-TW, zh-Hans-CN and
zh-HK all read Simplified Chinese best here, and en-GB, en-US English.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT = "zh_CN"
# locale code → primary language subtag of Accept-Language it answers
SUPPORTED: dict[str, str] = {"zh_CN": "zh", "en": "en"}
# The names of the choices, each written in its own language (so a reader finds theirs whatever the
# page's language): never translated.
NATIVE_NAMES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
COOKIE = "lang"


def supported(code: str | None) -> str | None:
    """``code`` when it is one of the UI's locales, else None (an old or forged value is ignored)."""
    return code if code in SUPPORTED else None


def from_accept_language(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The best locale for an Accept-Language header given as (tag, quality) pairs, or None.

    The highest quality wins; between equal qualities, the first listed. ``*`` and languages the UI
    does not speak are skipped; a quality of 0 means "not this one"."""
    best: tuple[float, int, str] | None = None
    for order, (tag, quality) in enumerate(accepted):
        if quality <= 0:
            continue
        primary = tag.replace("_", "-").split("-", 1)[0].strip().lower()
        for code, language in SUPPORTED.items():
            if primary == language and (best is None or (-quality, order) < (best[0], best[1])):
                best = (-quality, order, code)
    return best[2] if best else None


def choose(
    *, account: str | None, cookie: str | None, accepted: Iterable[tuple[str, float]], default: str = DEFAULT
) -> str:
    """The locale of a request: the account's choice, the cookie's, Accept-Language's, the default."""
    return supported(account) or supported(cookie) or from_accept_language(accepted) or default
