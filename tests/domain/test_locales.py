"""Which language a request gets (tracker.domain.locales.choose): a table of cases."""

from __future__ import annotations

import pytest

from tracker.domain.locales import choose, from_accept_language, supported

ZH = [("zh-CN", 1.0)]
EN = [("en-US", 1.0), ("en", 0.9)]


@pytest.mark.parametrize(
    ("account", "cookie", "accepted", "expected"),
    [
        (None, None, [], "zh_CN"),  # nothing known: the default
        (None, None, EN, "en"),  # the browser's language
        (None, None, ZH, "zh_CN"),
        (None, "en", ZH, "en"),  # the cookie (this browser's choice) beats Accept-Language
        (None, "zh_CN", EN, "zh_CN"),
        ("en", "zh_CN", ZH, "en"),  # the account's choice beats this browser's
        ("zh_CN", "en", EN, "zh_CN"),
        ("fr", None, EN, "en"),  # an unknown stored value is ignored, not trusted
        (None, "../../etc", [], "zh_CN"),  # a forged cookie too
        (None, "", EN, "en"),
    ],
)
def test_choose(account: str | None, cookie: str | None, accepted, expected: str) -> None:
    assert choose(account=account, cookie=cookie, accepted=accepted) == expected


@pytest.mark.parametrize(
    ("accepted", "expected"),
    [
        ([("en-GB", 1.0)], "en"),
        ([("zh-TW", 1.0), ("zh", 0.9)], "zh_CN"),  # any Chinese reads Simplified best here
        ([("zh-Hans-CN", 1.0)], "zh_CN"),
        ([("zh_CN", 1.0)], "zh_CN"),
        ([("fr-FR", 1.0), ("en", 0.5), ("zh", 0.8)], "zh_CN"),  # the higher quality of those spoken
        ([("de", 1.0), ("en", 0.5)], "en"),
        ([("en", 0.7), ("zh", 0.7)], "en"),  # a tie: the first listed
        ([("en", 0.0), ("zh", 0.1)], "zh_CN"),  # q=0: "not this one"
        ([("fr", 1.0)], None),
        ([("*", 1.0)], None),
        ([], None),
    ],
)
def test_from_accept_language(accepted, expected: str | None) -> None:
    assert from_accept_language(accepted) == expected


@pytest.mark.parametrize(("code", "expected"), [("en", "en"), ("zh_CN", "zh_CN"), ("EN", None), (None, None)])
def test_supported(code: str | None, expected: str | None) -> None:
    assert supported(code) == expected
