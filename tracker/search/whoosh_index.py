"""Kept for indexes written before the Whoosh backend became a package (tracker.search.whoosh):
their schema pickles the analyzer under this module's path, so it must still import from here."""

from __future__ import annotations

from tracker.search.whoosh.schema import ChineseTokenizer

__all__ = ["ChineseTokenizer"]
