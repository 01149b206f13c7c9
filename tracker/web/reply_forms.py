"""The reply editor's form: one answer field per suggestion, so its fields are read by name rather than
declared. Names: ``answer-<suggestion id>``, ``point-outcome-<suggestion id>``, ``waiver-<id>``,
``with-<id>``, ``reason-<id>`` for each suggestion; ``link-<point index>`` (several values) and
``pasted-outcome-<point index>`` for a pasted letter's points. Values only: the domain and the services
say what is wrong (CSRFProtect checks the token of every POST).
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MultiDict

from tracker.domain.drafting import clean_text
from tracker.domain.letters import Exemption, Waiver
from tracker.domain.messages import N_, Problem
from tracker.domain.reply_drafting import DraftContent, Frame, Mode, Section
from tracker.models import Suggestion
from tracker.web.args import bounded_int
from tracker.web.forms import optional_int

FRAME_FIELDS = ("title", "doc_number", "salutation", "preamble", "closing", "signature", "date")
MAX_POINTS = 500  # more link fields than any letter has points: the rest is ignored


def mode_of(form: MultiDict[str, str]) -> Mode:
    return Mode.PASTED if form.get("mode") == Mode.PASTED.value else Mode.SECTIONS


def revision_of(form: MultiDict[str, str]) -> int:
    return bounded_int(form.get("revision"), low=0) or 0


def _readable_or_empty(text: str) -> str:
    """A pasted box holding nothing but control characters (NUL bytes, say) holds no letter: every
    check downstream then sees it as empty, as the cleaned text it would become."""
    return text if clean_text(text).strip() else ""


def unreadable_paste(form: MultiDict[str, str]) -> Problem | None:
    """Something was pasted, yet nothing of it is text (``_readable_or_empty`` emptied it)."""
    pasted = form.get("pasted", "")
    if pasted.strip() and not clean_text(pasted).strip():
        return Problem(
            "pasted",
            N_(
                "The pasted text holds no readable characters (only control characters such as NUL). Paste the letter again."
            ),
        )
    return None


def content_from(form: MultiDict[str, str], suggestions: Sequence[Suggestion]) -> DraftContent:
    """The draft as typed (links of a pasted letter are added by the service from ``chosen_links``)."""
    ids = [s.id for s in suggestions if s.id is not None]
    exemptions = []
    for sid in ids:
        try:
            kind = Waiver(form.get(f"waiver-{sid}", ""))
        except ValueError:
            continue
        with_id = optional_int(form.get(f"with-{sid}")) if kind == Waiver.TOGETHER else None
        exemptions.append(Exemption(sid, kind, form.get(f"reason-{sid}", ""), with_id))
    point_outcomes = {}
    for point in range(MAX_POINTS):
        value = form.get(f"pasted-outcome-{point}")
        if value:
            point_outcomes[point] = value
    return DraftContent(
        mode=mode_of(form),
        frame=Frame(**{name: form.get(name, "") for name in FRAME_FIELDS}),
        outcome=form.get("outcome") or None,
        sections=[
            Section(sid, form.get(f"answer-{sid}", ""), form.get(f"point-outcome-{sid}") or None)
            for sid in ids
        ],
        pasted=_readable_or_empty(form.get("pasted", "")),
        point_outcomes=point_outcomes,
        exemptions=exemptions,
    )


def chosen_links(form: MultiDict[str, str], point_count: int) -> dict[int, list[int]]:
    """For each point of the pasted letter, the suggestions ticked as answered by it."""
    chosen: dict[int, list[int]] = {}
    for point in range(min(point_count, MAX_POINTS)):
        values = [optional_int(v) for v in form.getlist(f"link-{point}")]
        chosen[point] = [v for v in values if v is not None]
    return chosen
