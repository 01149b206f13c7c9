"""Template filters that turn stored plain text into paragraphs; they never produce markup."""

from __future__ import annotations

_INDENT = " \t\u3000"
# Punctuation that closes a unit's title: dropped when the title is set apart as a heading.
_TITLE_END = "。．.：:；;"


def paragraphs(text: str | None) -> list[str]:
    """Non-blank lines with their indentation (ASCII or ideographic spaces) trimmed."""
    return [line.strip(_INDENT) for line in (text or "").splitlines() if line.strip(_INDENT)]


def split_heading(text: str | None, title: str | None) -> tuple[str, str]:
    """(title as written, the rest) when ``text`` opens with its title; ("", text) otherwise."""
    body = (text or "").lstrip(_INDENT)
    if not title or not body.startswith(title):
        return "", body
    rest = body[len(title) :]
    if rest[:1] and rest[0] in _TITLE_END:
        rest = rest[1:]
    return title, rest.lstrip(_INDENT)


def body_after_title(text: str | None, title: str | None) -> list[str]:
    """The paragraphs of a unit once its title is shown as a heading."""
    head, rest = split_heading(text, title)
    return paragraphs(rest if head else text)


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"
