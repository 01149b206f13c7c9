"""Web test helpers: a small HTML tree for structural assertions (the standard library has no DOM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    def text(self) -> str:
        """All text inside, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Element) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Descendants with this tag (any when None) whose attributes contain the given values.

        ``class_`` matches one class among several.
        """
        wanted_class = attrs.pop("class_", None)
        found = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if any(el.attrs.get(k) != v for k, v in attrs.items()):
                continue
            if wanted_class is not None and wanted_class not in el.attrs.get("class", "").split():
                continue
            found.append(el)
        return found

    def by_id(self, id_: str) -> Element:
        matches = self.find_all(id=id_)
        assert len(matches) == 1, f"expected one element with id={id_!r}, found {len(matches)}"
        return matches[0]

    def contains(self, other: Element) -> bool:
        node = other.parent
        while node is not None:
            if node is self:
                return True
            node = node.parent
        return False


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(el)
        if tag not in VOID:
            self.current = el

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _Builder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


@pytest.fixture
def get_page(client: FlaskClient):
    """GET a URL, check the status, and return the parsed document."""

    def get(url: str, status: int = 200) -> Element:
        response = client.get(url)
        assert response.status_code == status, f"{url}: {response.status_code}"
        return parse(response.data)

    return get


@pytest.fixture
def parse_html():
    """``parse`` itself, for pages that come back from a POST."""
    return parse
