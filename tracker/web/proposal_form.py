"""The proposal form without JavaScript: every button posts the whole form, and the server adds,
removes or moves a suggestion row, or splits the pasted text into rows, and shows the form again
with everything else exactly as typed. Only "save" and "submit" store anything."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from tracker.domain.drafting import DRAFT_FIELDS, Draft, clean_draft, preview
from tracker.domain.messages import RuleError
from tracker.web.forms import ProposalForm, put_problems

SAVE, SUBMIT, PREVIEW, ADD = "save", "submit", "preview", "add"
_ROW_OP = re.compile(r"(remove|up|down):(\d{1,4})")
_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_token() -> str:
    return secrets.token_hex(16)


def token_of(form: ProposalForm) -> str:
    """The form's one-time token; a missing or malformed one is replaced (no protection, no harm)."""
    value = form.form_token.data or ""
    return value if _TOKEN.fullmatch(value) else new_token()


def values(form: ProposalForm) -> dict[str, Any]:
    """Every field as posted (rows of the suggestion list each), to show the form again."""
    return {
        name: [v or "" for v in value] if isinstance(value, list) else value or ""
        for name, value in form.data.items()
        if name != "csrf_token"
    }


def data_of(draft: Draft) -> dict[str, Any]:
    """A stored draft as the form's values: one empty suggestion row at least, the co-signers in
    one box."""
    data = {name: getattr(draft, name) for name in DRAFT_FIELDS}
    return data | {
        "suggestions": draft.suggestions or [""],
        "leadin": draft.leadin or "",
        "cosigners": "、".join(draft.cosigners),
    }


def _choices(form: ProposalForm, categories: Sequence[str]) -> ProposalForm:
    form.category.choices = [("", _("Choose a category"))] + [(c, c) for c in categories]
    return form


def build(data: dict[str, Any], categories: Sequence[str]) -> ProposalForm:
    """A form showing ``data`` (not bound to the request)."""
    return _choices(ProposalForm(formdata=None, data=data), categories)


def bound(categories: Sequence[str]) -> ProposalForm:
    """The form as posted."""
    return _choices(ProposalForm(), categories)


def blank(categories: Sequence[str]) -> ProposalForm:
    return build({"suggestions": [""], "form_token": new_token()}, categories)


def draft_of(form: ProposalForm) -> Draft:
    return clean_draft(**{name: form.data[name] for name in DRAFT_FIELDS})


@dataclass
class Shown:
    """The form to show again, with notices above it; ``invalid`` when something must be fixed."""

    form: ProposalForm
    notices: list[str] = field(default_factory=list)
    invalid: bool = False


def _split(form: ProposalForm, data: dict[str, Any], categories: Sequence[str]) -> Shown:
    try:
        found = preview(data["paste"])
    except RuleError as error:
        put_problems(form, error.problems)
        return Shown(form, invalid=True)
    data.update(
        background=found.background,
        leadin=found.leadin or "",
        closing=found.closing,
        suggestions=found.suggestions or [""],
    )
    count = len(found.suggestions)
    notices = [
        ngettext(
            "The text was split into %(num)d suggestion. Check it below, then save or submit.",
            "The text was split into %(num)d suggestions. Check them below, then save or submit.",
            count,
        )
    ]
    if not found.numbered:
        notices.append(
            _(
                "No numbered list of suggestions was found, so the text is kept as one suggestion. "
                "Split it into rows below if it holds several."
            )
        )
    return Shown(build(data, categories), notices)


def rework(form: ProposalForm, op: str, categories: Sequence[str]) -> Shown | None:
    """Carry out a button that only changes the form; None for save and submit."""
    data = values(form)
    rows: list[str] = data["suggestions"]
    if op == PREVIEW:
        return _split(form, data, categories)
    if op == ADD:
        rows.append("")
        return Shown(build(data, categories))
    match = _ROW_OP.fullmatch(op)
    if match is None:
        return None
    verb, index = match.group(1), int(match.group(2))
    if 0 <= index < len(rows):
        if verb == "remove":
            del rows[index]
        elif verb == "up" and index > 0:
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        elif verb == "down" and index + 1 < len(rows):
            rows[index], rows[index + 1] = rows[index + 1], rows[index]
    return Shown(build(data, categories))


def needs_split(form: ProposalForm) -> bool:
    """A text was pasted but never split: show the split before storing anything."""
    has_rows = any((entry.data or "").strip() for entry in form.suggestions)
    return bool((form.paste.data or "").strip()) and not has_rows


def split_first(form: ProposalForm, categories: Sequence[str]) -> Shown:
    return _split(form, values(form), categories)
