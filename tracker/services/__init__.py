"""Use cases and queries over an explicit session (keyword-only); they flush, never commit.

proposals.py  proposals and their suggestions: listing, the side-by-side view, record_proposal
replies.py    reply letters: record_reply (parse, store points, link), the letter view
people.py     natural-key lookups shared by the use cases: meetings, members, agencies
library.py    reference documents and their numbered clauses
seed.py       load seeds/ through the use cases above, idempotently
"""
