"""`tracker split-proposal` and `tracker split-reply`: the parser as JSON, a contract for tools.

These commands need no app context or database, so they run fast and work anywhere.
"""

from __future__ import annotations

import json
import sys

import click

from .domain.linking import link
from .domain.replies import parse_reply
from .domain.splitting import split_proposal
from .domain.units import Unit
from .reading import ReadError, read_path


def _read(path: str) -> str:
    """The file's text, whatever its format (.txt in any Chinese encoding, .docx, .doc, .pdf,
    .html); a file that cannot be read ends the command with one line on stderr."""
    try:
        document = read_path(path)
    except ReadError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    for warning in document.warnings:
        click.echo(f"Warning: {path}: {warning}", err=True)
    return document.text


def _emit(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _sub(units: list[Unit], key: str) -> list[dict]:
    return [{"n": u.n, "marker": u.marker, key: u.title, "text": u.text} for u in units]


@click.command("split-proposal")
@click.argument("file", type=click.Path())
def split_proposal_command(file: str) -> None:
    """Split a proposal FILE (.txt, .docx, .doc, .pdf or .html) into its numbered suggestions (JSON on stdout)."""
    result = split_proposal(_read(file))
    _emit(
        {
            "leadin": result.leadin,
            "suggestions": [
                {
                    "n": u.n,
                    "marker": u.marker,
                    "title": u.title,
                    "text": u.text,
                    "numbered": u.numbered,
                    "span": [u.start, u.end],
                    "sub_points": _sub(u.sub_points, "title"),
                }
                for u in result.suggestions
            ],
        }
    )


@click.command("split-reply")
@click.argument("file", type=click.Path())
@click.option(
    "--proposal",
    "proposal_file",
    type=click.Path(),
    default=None,
    help="The proposal the letter answers: fills each point's `answers`.",
)
def split_reply_command(file: str, proposal_file: str | None) -> None:
    """Parse a reply letter FILE (.txt, .docx, .doc, .pdf or .html) into its frame and points (JSON on stdout)."""
    reply = parse_reply(_read(file))
    answers: dict[int, list[dict]] = {}
    if proposal_file:
        suggestions = split_proposal(_read(proposal_file)).suggestions
        numbered = [
            Unit(p.n if p.n is not None else i + 1, p.marker, p.title, p.text, p.start, p.end)
            for i, p in enumerate(reply.points)
        ]
        for lk in link(numbered, suggestions):
            answers.setdefault(lk.point, []).append(
                {"suggestion": lk.suggestion, "method": lk.method, "confidence": lk.confidence}
            )
    points = []
    for i, p in enumerate(reply.points):
        n = p.n if p.n is not None else i + 1
        found = answers.get(n, [])
        points.append(
            {
                "n": p.n,
                "marker": p.marker,
                "heading": p.title,
                "text": p.text,
                "answers": [a["suggestion"] for a in found],
                "links": found,
                "span": [p.start, p.end],
                "sub_points": _sub(p.sub_points, "heading"),
            }
        )
    _emit(
        {
            "title": reply.title,
            "doc_number": reply.doc_number,
            "salutation": reply.salutation,
            "preamble": reply.preamble,
            "points": points,
            "closing": reply.closing,
            "signature": reply.signature,
            "date": reply.date,
            "fields": reply.fields,
        }
    )
