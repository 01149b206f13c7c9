"""Bar charts as inline SVG, drawn on the server: no script, no external service, text escaped.

A chart is a list of bars (label, share from 0 to 1 or None, the text shown at its end). Colours come
from the stylesheet (classes ``chart-bar``, ``chart-bar-<n>``), so print and screen style them alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup, escape

ROW = 28  # px per bar
LABEL_WIDTH = 180
BAR_WIDTH = 260
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    label: str
    share: float | None  # 0..1; None: nothing to draw (no data)
    text: str  # shown after the bar, e.g. "3 (60.0%)"


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _clip(label: str, limit: int = 26) -> str:
    """Fit the label column in half-width units: a Chinese character at 13px takes two, so a full
    agency name (宁波市镇海区大数据发展管理局, 14 characters) would run off the chart's left edge."""
    if sum(map(_width, label)) <= limit:
        return label
    kept, used = "", 2  # room for the ellipsis, which is wide in Chinese fonts
    for char in label:
        used += _width(char)
        if used > limit:
            break
        kept += char
    return kept + "…"


def bar_chart(title: str, bars: Sequence[Bar], *, chart_id: str) -> Markup:
    """A horizontal bar chart with an accessible name and a text alternative for every bar."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = max(1, len(bars)) * ROW + 8
    parts = [
        Markup(
            '<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title" viewBox="0 0 {w} {h}" '
            'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        ).format(id=chart_id, w=width, h=height),
        Markup('<title id="{}-title">{}</title>').format(chart_id, title),
    ]
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        share = min(max(bar.share or 0.0, 0.0), 1.0)
        length = round(share * BAR_WIDTH, 1)
        parts.append(
            Markup('<g class="chart-row"><title>{}</title>').format(
                gettext("%(label)s: %(text)s", label=bar.label, text=bar.text)
            )
            + Markup('<text class="chart-label" x="{x}" y="{y}" text-anchor="end">{label}</text>').format(
                x=LABEL_WIDTH - 8, y=y + ROW / 2 + 5, label=_clip(bar.label)
            )
            + Markup(
                '<rect class="chart-track" x="{x}" y="{y}" width="{w}" height="{h}" rx="3"></rect>'
            ).format(x=LABEL_WIDTH, y=y + 4, w=BAR_WIDTH, h=ROW - 10)
            + (
                Markup(
                    '<rect class="chart-bar chart-bar-{n}" x="{x}" y="{y}" width="{w}" height="{h}" rx="3"></rect>'
                ).format(n=index % 6, x=LABEL_WIDTH, y=y + 4, w=length, h=ROW - 10)
                if bar.share is not None
                else Markup("")
            )
            + Markup('<text class="chart-value" x="{x}" y="{y}">{text}</text>').format(
                x=LABEL_WIDTH + BAR_WIDTH + 6, y=y + ROW / 2 + 5, text=bar.text
            )
            + Markup("</g>")
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(escape(p) for p in parts)
