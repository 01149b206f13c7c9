"""Reference documents and their numbered clauses (第一部分 / 一、 / （一） outlines)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from tracker.domain.anchors import clause_anchors
from tracker.domain.outline import outline
from tracker.models import ReferenceClause, ReferenceDocument
from tracker.services.errors import DuplicateError, ServiceError


def record_reference(
    *,
    session: Session,
    slug: str,
    text: str,
    title: str | None = None,
    description: str = "",
    issuer: str | None = None,
    doc_number: str | None = None,
    date_text: str | None = None,
    language: str = "zh",
    kind: str = "",
    source_name: str | None = None,
) -> ReferenceDocument:
    """Store a reference document and the numbered clauses the domain finds in it."""
    if not slug.strip():
        raise ServiceError("the document needs a slug", field="slug")
    if not text.strip():
        raise ServiceError("the document text is empty", field="text")
    if get_document(session=session, slug=slug) is not None:
        raise DuplicateError(f"a document with slug {slug!r} already exists", field="slug")
    document = ReferenceDocument(
        slug=slug,
        title=title or None,
        description=description,
        issuer=issuer or None,
        doc_number=doc_number or None,
        date_text=date_text or None,
        language=language,
        kind=kind,
        source_name=source_name,
        original_text=text,
    )
    session.add(document)
    session.flush()
    for position, clause in enumerate(outline(text)):
        session.add(
            ReferenceClause(
                document_id=document.id,
                position=position,
                level=clause.level,
                n=clause.n,
                marker=clause.marker,
                title=clause.title,
                text=clause.text,
                start=clause.start,
                end=clause.end,
                path=".".join(str(n) for n in clause.number_path),
            )
        )
    session.flush()
    return document


def get_document(*, session: Session, slug: str) -> ReferenceDocument | None:
    return session.exec(select(ReferenceDocument).where(ReferenceDocument.slug == slug)).first()


def list_documents(*, session: Session) -> list[tuple[ReferenceDocument, int]]:
    """Every document with its number of clauses, Chinese documents first, then by slug."""
    stmt = (
        select(ReferenceDocument, func.count(col(ReferenceClause.id)))
        .join(ReferenceClause, col(ReferenceClause.document_id) == col(ReferenceDocument.id), isouter=True)
        .group_by(col(ReferenceDocument.id))
        .order_by(col(ReferenceDocument.language) != "zh", col(ReferenceDocument.slug))
    )
    return [(doc, n) for doc, n in session.exec(stmt).all()]


@dataclass
class ClauseNode:
    clause: ReferenceClause
    anchor: str  # "c3-2" for path 3.2
    body: str  # the clause's own text, without the text of its sub-clauses
    children: list[ClauseNode] = field(default_factory=list)


@dataclass
class DocumentView:
    document: ReferenceDocument
    preamble: str  # text before the first clause (addressees, purpose, table of contents)
    clauses: list[ClauseNode]  # top level; each holds its sub-clauses
    clause_count: int


def _marker_start(text: str, clause: ReferenceClause, floor: int) -> int:
    """Where a clause's marker begins in the document (its ``start`` is where its text begins)."""
    pos = text.rfind(clause.marker, floor, clause.start)
    return pos if pos >= 0 else clause.start


def clauses_of(*, session: Session, document_id: int) -> list[ReferenceClause]:
    return list(
        session.exec(
            select(ReferenceClause)
            .where(ReferenceClause.document_id == document_id)
            .order_by(col(ReferenceClause.position))
        ).all()
    )


def clause_nodes(document: ReferenceDocument, clauses: Sequence[ReferenceClause]) -> list[ClauseNode]:
    """Every clause in document order with its page anchor and its own text (no children yet)."""
    text = document.original_text
    nodes: list[ClauseNode] = []
    anchors = clause_anchors((c.path, c.position) for c in clauses)
    for i, (clause, anchor) in enumerate(zip(clauses, anchors, strict=True)):
        # A clause's own text stops where the next clause (its first sub-clause, if any) starts,
        # whether or not the outline counts sub-clauses as part of their parent's text.
        end = clause.end
        if i + 1 < len(clauses):
            end = min(end, _marker_start(text, clauses[i + 1], clause.start))
        body = text[clause.start : end].strip() if end > clause.start else clause.text.strip()
        nodes.append(ClauseNode(clause=clause, anchor=anchor, body=body))
    return nodes


def document_preamble(document: ReferenceDocument, clauses: Sequence[ReferenceClause]) -> str:
    """Text before the first clause (addressees, purpose, table of contents); all of it without clauses."""
    text = document.original_text
    return text[: _marker_start(text, clauses[0], 0)].strip() if clauses else text.strip()


def document_view(*, session: Session, slug: str) -> DocumentView | None:
    document = get_document(session=session, slug=slug)
    if document is None or document.id is None:
        return None
    clauses = clauses_of(session=session, document_id=document.id)
    roots: list[ClauseNode] = []
    stack: list[ClauseNode] = []
    for node in clause_nodes(document, clauses):
        clause = node.clause
        while stack and stack[-1].clause.level >= clause.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return DocumentView(
        document=document,
        preamble=document_preamble(document, clauses),
        clauses=roots,
        clause_count=len(clauses),
    )
