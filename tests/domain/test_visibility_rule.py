"""The visibility rule over stored facts, as a table: who sees a proposal with these facts, when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.visibility import ANONYMOUS, AccessFacts, Role, Viewer, can_see

NOW = datetime(2030, 1, 2, 1, 0, tzinfo=UTC)
MEMBER = Viewer(Role.MEMBER, member_id=7)
AGENCY = Viewer(Role.AGENCY, agency_id=3)
OTHER_AGENCY = Viewer(Role.AGENCY, agency_id=4)
OWN = AccessFacts(published=False, member_ids=frozenset({7}), agency_ids=frozenset({3}))


@pytest.mark.parametrize(
    ("facts", "viewer", "at", "sees"),
    [
        (AccessFacts(published=True), ANONYMOUS, NOW, True),
        (AccessFacts(published=False), ANONYMOUS, NOW, False),
        (AccessFacts(published=False), Viewer(Role.STAFF), NOW, True),
        (AccessFacts(published=False), Viewer(Role.ADMIN), NOW, True),
        (OWN, MEMBER, NOW, True),
        (OWN, Viewer(Role.MEMBER, member_id=8), NOW, False),
        (OWN, AGENCY, NOW, True),
        (OWN, OTHER_AGENCY, NOW, False),
        # a member id on an agency account (or the reverse) grants nothing
        (OWN, Viewer(Role.AGENCY, member_id=7), NOW, False),
        (OWN, Viewer(Role.MEMBER, agency_id=3), NOW, False),
        # a scheduled publication: public from its moment on, not a second before
        (AccessFacts(published=False, publish_at=NOW), ANONYMOUS, NOW, True),
        (AccessFacts(published=False, publish_at=NOW), ANONYMOUS, NOW - timedelta(seconds=1), False),
        # a stored time without a zone is UTC
        (AccessFacts(published=False, publish_at=NOW.replace(tzinfo=None)), ANONYMOUS, NOW, True),
    ],
)
def test_can_see(facts: AccessFacts, viewer: Viewer, at: datetime, sees: bool) -> None:
    assert can_see(facts, viewer, at) is sees
