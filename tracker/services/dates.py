"""Read dates as Chinese documents write them: "2017年6月28日", "二〇一七年六月二十八日"."""

from __future__ import annotations

import re
from datetime import date, tzinfo

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"[\d〇零一二三四五六七八九十]{1,4}"
_DATE = re.compile(rf"({_NUMBER})\s*年\s*({_NUMBER})\s*月\s*({_NUMBER})\s*日")


def _small_number(s: str) -> int | None:
    """1..9999 written in ASCII digits, digit-by-digit (二〇一七) or with 十 (二十八)."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        t = _DIGITS.get(tens, -1) if tens else 1
        o = _DIGITS.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 else t * 10 + o
    value = 0
    for ch in s:
        if ch not in _DIGITS:
            return None
        value = value * 10 + _DIGITS[ch]
    return value


def parse_cn_date(text: str | None) -> date | None:
    """The first full date in ``text``, or None when there is none or it is not a real day."""
    if not text:
        return None
    m = _DATE.search(text)
    if not m:
        return None
    year, month, day = (_small_number(g) for g in m.groups())
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def today_in(zone: tzinfo) -> date:
    """The day it is now where ``zone`` is, by the clock publication is judged by (the system clock
    unless a test injects one: tracker.services.visibility.clock), so "late" and "published" agree."""
    from tracker.services.visibility import now  # visibility imports models; dates stays light

    return now().astimezone(zone).date()
