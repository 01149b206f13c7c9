"""Handling statistics over a fixture of proposals in known states."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.statistics import CaseFacts, by_key, summarize

TODAY = date(2024, 9, 1)
A, D = date(2024, 3, 1), date(2024, 6, 1)  # assigned on, deadline
CASES = [
    CaseFacts("draft", "S1"),
    CaseFacts("submitted", "S1"),
    CaseFacts("not_accepted", "S1"),
    CaseFacts("merged", "S1"),
    CaseFacts("accepted", "S1"),
    CaseFacts("assigned", "S1", "教育局", A, D),  # unanswered, overdue
    CaseFacts("assigned", "S2", "教育局", A, date(2024, 12, 1)),  # unanswered, not yet due
    CaseFacts("replied", "S2", "教育局", A, D, date(2024, 4, 10), "A", ("satisfied",)),  # 40 days, on time
    CaseFacts("closed", "S2", "财政局", A, D, date(2024, 7, 1), "B", ("dissatisfied", "basically_satisfied")),
    CaseFacts("replied", "S2", "财政局", A, D, date(2024, 5, 31), "A", ()),  # 91 days, on time
]


def test_overall_counts_and_rates() -> None:
    s = summarize(CASES, today=TODAY)
    assert (s.submitted, s.accepted, s.merged, s.opinions) == (9, 6, 1, 1)
    assert (s.assigned, s.replied, s.replied_on_time, s.overdue) == (5, 3, 2, 1)
    assert s.reply_rate == pytest.approx(3 / 5)
    assert s.on_time_rate == pytest.approx(2 / 3)
    assert s.average_days_to_reply == pytest.approx((40 + 122 + 91) / 3)
    assert s.outcome_shares == {"A": pytest.approx(2 / 3), "B": pytest.approx(1 / 3), "C": 0.0}
    assert s.satisfaction_rate == pytest.approx(2 / 3)


def test_per_agency_and_per_session() -> None:
    agencies = by_key(CASES, "agency", today=TODAY)
    assert list(agencies) == ["教育局", "财政局"]
    edu, fin = agencies["教育局"], agencies["财政局"]
    assert (edu.assigned, edu.replied, edu.overdue, edu.on_time_rate) == (3, 1, 1, 1.0)
    assert (fin.assigned, fin.replied, fin.on_time_rate) == (2, 2, 0.5)
    sessions = by_key(CASES, "session", today=TODAY)
    assert sessions["S1"].submitted == 5 and sessions["S2"].replied == 3


def test_empty_denominators_are_none_not_zero() -> None:
    s = summarize([CaseFacts("submitted")], today=TODAY)
    assert s.reply_rate is None and s.on_time_rate is None and s.average_days_to_reply is None
    assert s.satisfaction_rate is None and s.outcome_shares == {"A": None, "B": None, "C": None}


def test_a_reply_of_unknown_date_counts_as_replied_but_not_in_the_timing() -> None:
    cases = [
        CaseFacts("replied", "S1", "教育局", replied=True),  # imported letter without a date
        CaseFacts("replied", "S1", "教育局", A, D, date(2024, 7, 1)),  # late
    ]
    s = summarize(cases, today=TODAY)
    assert (s.assigned, s.replied, s.replied_dated, s.replied_on_time, s.overdue) == (2, 2, 1, 0, 0)
    assert s.reply_rate == 1.0
    assert s.on_time_rate == 0.0
    assert s.average_days_to_reply == (date(2024, 7, 1) - A).days


def test_groups_with_unknown_add_up_to_the_whole_for_every_count() -> None:
    from tracker.domain.statistics import COUNTS

    cases = [*CASES, CaseFacts("submitted"), CaseFacts("not_accepted"), CaseFacts("replied", replied=True)]
    whole = summarize(cases, today=TODAY)
    groups = by_key(cases, "session", today=TODAY, unknown=True)
    assert list(groups) == ["S1", "S2", None]
    for name in COUNTS:
        assert sum(getattr(g, name) for g in groups.values()) == getattr(whole, name), name
    assert whole.replied_undated == 1 and groups[None].replied_undated == 1
    assert None not in by_key(cases, "session", today=TODAY)
