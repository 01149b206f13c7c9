"""Word's automatic numbering, reconstructed: the "一、" or "（1）" that Word draws from numbering.xml
and never stores in the paragraph's text (python-docx's ``paragraph.text`` leaves it out).

The model is Word's: a paragraph's ``w:numPr`` (or its style's) names a ``w:num`` and a level; every
``w:num`` points at an ``w:abstractNum`` whose levels say the format (``numFmt``), the label
(``lvlText``, "%1、" with %n the counter of level n) and the start. Counters belong to the abstract
list, so two ``w:num`` of one list continue each other, unless a ``w:num`` overrides a level's start
(Word's "restart numbering"), which restarts that level the first time that ``w:num`` is used.
Using a level restarts the deeper ones (``lvlRestart`` may say otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(el: etree._Element | None, tag: str) -> str | None:
    child = el.find(q(tag)) if el is not None else None
    return child.get(q("val")) if child is not None else None


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_DIGITS = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
_ROMAN += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def chinese_counting(n: int, digits: str = _DIGITS, units: str = "十百千") -> str:
    """一, 十, 十一, 二十, 一百零五… as Word's chineseCounting writes them."""
    if n <= 0:
        return str(n)
    if n >= 10000:
        return str(n)
    parts: list[str] = []
    zero = False
    for value, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        if not (value == 10 and d == 1 and not parts):
            parts.append(digits[d])
        parts.append(unit)
    return "".join(parts)


def _letters(n: int) -> str:
    # Word repeats the letter: a…z, aa…zz.
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in _ROMAN:
        while n >= value:
            out, n = out + sym, n - value
    return out


def _enclosed(n: int, first: int, last: int, fallback: str) -> str:
    return chr(first + n - 1) if 1 <= n <= last - first + 1 else fallback.format(n)


def format_number(n: int, fmt: str) -> str:
    """The counter ``n`` in Word's number format ``fmt`` (decimal for a format we do not know)."""
    match fmt:
        case (
            "chineseCounting"
            | "chineseCountingThousand"
            | "taiwaneseCounting"
            | "taiwaneseCountingThousand"
            | "japaneseCounting"
        ):
            return chinese_counting(n)
        case "ideographDigital" | "taiwaneseDigital":
            return "".join(_DIGITS[int(d)] for d in str(n))
        case "chineseLegalSimplified" | "ideographLegalTraditional":
            return chinese_counting(n, _LEGAL, "拾佰仟")
        case "ideographTraditional":
            return _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
        case "ideographZodiac":
            return _DIZHI[(n - 1) % 12] if n > 0 else str(n)
        case "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" | "ideographEnclosedCircle":
            return _enclosed(n, 0x2460, 0x2473, "({})")
        case "decimalEnclosedParen":
            return _enclosed(n, 0x2474, 0x2487, "({})")
        case "decimalEnclosedFullstop":
            return _enclosed(n, 0x2488, 0x249B, "{}.")
        case "decimalFullWidth" | "decimalFullWidth2":
            return "".join(chr(0xFF10 + int(d)) for d in str(n))
        case "decimalZero":
            return f"{n:02d}"
        case "lowerLetter":
            return _letters(n)
        case "upperLetter":
            return _letters(n).upper()
        case "lowerRoman":
            return _roman(n).lower()
        case "upperRoman":
            return _roman(n)
        case "none":
            return ""
        case _:
            return str(n)


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suffix: str = "tab"  # tab | space | nothing
    restart: int | None = None  # lvlRestart: None = after any shallower level; 0 = never
    legal: bool = False  # isLgl: every %n in decimal


@dataclass
class Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # startOverride per level
    levels: dict[int, Level] = field(default_factory=dict)  # lvl overrides


# Word 2010's custom formats ("一, 二, 三, ..."), named by their first number.
_CUSTOM = {
    "一": "chineseCounting",
    "壹": "chineseLegalSimplified",
    "01": "decimalZero",
    "甲": "ideographTraditional",
}


def _number_format(el: etree._Element) -> str:
    """numFmt, also where Word 2010 put it inside mc:AlternateContent (a custom format and a fallback)."""
    direct = _val(el, "numFmt")
    if direct:
        return direct
    for fmt in el.iter(q("numFmt")):
        custom = fmt.get(q("format"))
        if fmt.get(q("val")) == "custom" and custom:
            return _CUSTOM.get(custom.split(",")[0].strip(), "decimal")
        if fmt.get(q("val")):
            return fmt.get(q("val")) or "decimal"
    return "decimal"


def _level(el: etree._Element) -> Level:
    restart = _int(_val(el, "lvlRestart"))
    legal = el.find(q("isLgl"))
    return Level(
        start=_int(_val(el, "start"), 1) or 0,
        fmt=_number_format(el),
        text=_val(el, "lvlText") or "",
        suffix=_val(el, "suff") or "tab",
        restart=restart,
        legal=legal is not None and legal.get(q("val"), "1") not in ("0", "false"),
    )


class Numbering:
    """numbering.xml, and the counters as the document is read from top to bottom."""

    def __init__(self, xml: bytes | None, style_links: dict[str, str] | None = None) -> None:
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, Num] = {}
        self.style_link: dict[str, str] = {}  # numStyleLink → the abstract that defines the style
        self._links = style_links or {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[tuple[str, int]] = set()
        if xml:
            self._load(etree.fromstring(xml))

    def _load(self, root: etree._Element) -> None:
        pointers: dict[str, str] = {}
        for ab in root.findall(q("abstractNum")):
            aid = ab.get(q("abstractNumId"), "")
            self.abstracts[aid] = {
                _int(lvl.get(q("ilvl")), 0) or 0: _level(lvl) for lvl in ab.findall(q("lvl"))
            }
            if (link := _val(ab, "styleLink")) is not None:
                self.style_link[link] = aid
            if (ptr := _val(ab, "numStyleLink")) is not None:
                pointers[aid] = ptr
        for num in root.findall(q("num")):
            n = Num(abstract=_val(num, "abstractNumId") or "")
            for ov in num.findall(q("lvlOverride")):
                ilvl = _int(ov.get(q("ilvl")), 0) or 0
                if (start := _int(_val(ov, "startOverride"))) is not None:
                    n.starts[ilvl] = start
                if (lvl := ov.find(q("lvl"))) is not None:
                    n.levels[ilvl] = _level(lvl)
            self.nums[num.get(q("numId"), "")] = n
        # An abstract that only says "numbered like style X" takes X's definition.
        for aid, style in pointers.items():
            num_id = self._links.get(style)
            target = self.nums.get(num_id or "")
            if target and target.abstract in self.abstracts and target.abstract != aid:
                self.abstracts[aid] = self.abstracts[target.abstract]

    def _level_of(self, num: Num, ilvl: int) -> Level | None:
        return num.levels.get(ilvl) or self.abstracts.get(num.abstract, {}).get(ilvl)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Count this paragraph and return its label with its suffix ("一、", "1. "), or None when
        the paragraph is not numbered (numId 0, an unknown list, a level with no label)."""
        num = self.nums.get(num_id)
        if num is None or num_id == "0":
            return None
        level = self._level_of(num, ilvl)
        if level is None:
            return None
        counters = self._counters.setdefault(num.abstract, {})
        if (num_id, ilvl) not in self._started and ilvl in num.starts:
            counters[ilvl] = num.starts[ilvl]
        elif ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = level.start
        self._started.add((num_id, ilvl))
        for deeper in [d for d in counters if d > ilvl]:
            restart = (self._level_of(num, deeper) or Level()).restart
            if restart is None or (restart != 0 and ilvl <= restart - 1):
                del counters[deeper]
        text = level.text
        for k in range(9):
            if f"%{k + 1}" not in text:
                continue
            k_level = self._level_of(num, k) or Level()
            value = counters.get(k, k_level.start)
            fmt = "decimal" if level.legal and k_level.fmt != "none" else k_level.fmt
            text = text.replace(f"%{k + 1}", format_number(value, fmt))
        if level.fmt == "bullet" or not text.strip():
            return None  # bullets carry no number the parser could use; the text stands alone
        return text + ("" if level.suffix == "nothing" else " ")
