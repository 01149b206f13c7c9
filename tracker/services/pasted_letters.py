"""A reply letter drafted elsewhere and pasted into the editor: parsed into its frame and points by
the core's parser, its points linked to the proposal's suggestions by the core's linker; the links the
drafter confirms keep how they were found, the ones the drafter changes are made by hand.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from tracker.domain.drafting import clean_text
from tracker.domain.messages import N_, Problem
from tracker.domain.replies import parse_reply
from tracker.domain.reply_drafting import (
    ChosenLink,
    DraftContent,
    Frame,
    Mode,
    pasted_problem,
    resolve_links,
)
from tracker.domain.units import ParsedReply
from tracker.models import Suggestion
from tracker.services.errors import InvalidInput
from tracker.services.replies import outcome_from_fields, proposed_links


@dataclass
class PastedLetter:
    """A letter drafted elsewhere, parsed into its frame and points, with the links the linker proposes."""

    text: str  # as read: cleaned as it is stored
    parsed: ParsedReply
    proposed: list[ChosenLink]  # by point index and suggestion id

    @property
    def point_count(self) -> int:
        return len(self.parsed.points)

    @property
    def outcome(self) -> str | None:
        """The class the letter states in a label line (办复类别：A类), if any."""
        return outcome_from_fields(self.parsed.fields)

    def frame(self) -> Frame:
        p = self.parsed
        return Frame(
            title=p.title,
            doc_number=p.doc_number,
            salutation=p.salutation,
            preamble=p.preamble,
            closing=p.closing,
            signature=p.signature,
            date=p.date,
        )


def read_letter(text: str, suggestions: Sequence[Suggestion]) -> PastedLetter:
    """Parse a pasted letter (cleaned as it will be stored) and link its points to ``suggestions`` (the
    proposal's top-level ones)."""
    text = clean_text(text)
    problem = pasted_problem(text)
    if problem is not None:
        raise InvalidInput([problem])
    if not text.strip():
        raise InvalidInput([Problem("pasted", N_("Paste the letter first."))])
    parsed = parse_reply(text)
    return PastedLetter(text=text, parsed=parsed, proposed=proposed_links(parsed.points, suggestions))


def with_confirmed_links(
    content: DraftContent, chosen: Mapping[int, Collection[int]], suggestions: Sequence[Suggestion]
) -> DraftContent:
    """The drafter's ticks on the points of a pasted letter, as links: a proposed link kept keeps how it
    was found, one the drafter added is made by hand."""
    if content.mode != Mode.PASTED or not content.pasted.strip() or pasted_problem(content.pasted):
        content.links = []
        return content
    letter = read_letter(content.pasted, suggestions)
    content.links = resolve_links(
        letter.proposed, {p: v for p, v in chosen.items() if p < letter.point_count}
    )
    return content
