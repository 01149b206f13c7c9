"""Who is told what (issue 15): the kinds of notification, the audience of each workflow step,
how each person may receive a kind (in the app, e-mail at once, a daily digest), deadline reminder
points and the mail retry backoff. Pure rules: tracker.services.notifications resolves audiences to
accounts and stores the rows.

The person who acted is never told of their own step; inactive accounts are never told anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from .messages import N_, Problem, RuleError
from .people import EMAIL, EMAIL_LIMIT
from .workflow import Action


class Kind(StrEnum):
    COSIGN_INVITED = "cosign_invited"  # a member is asked to co-sign (联名邀请)
    COSIGN_ANSWERED = "cosign_answered"  # the invited member confirmed or declined
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # 立案, with its 案号
    NOT_ACCEPTED = "not_accepted"  # with the reason
    MERGED = "merged"  # 并案
    ASSIGNED = "assigned"  # 交办
    REASSIGNED = "reassigned"  # assigned again after an agency returned it
    RETURNED = "returned"  # 退回
    CO_OPINION = "co_opinion"  # a 会办意见 reached the lead agency
    REPLY_ISSUED = "reply_issued"
    SENT_BACK = "sent_back"  # 督办审核: the reply goes back to the lead agency
    REOPENED = "reopened"  # 重新办理
    RATED = "rated"  # a member rated the reply
    PUBLISHED = "published"
    WITHHELD = "withheld"
    EXTENSION_ASKED = "extension_asked"
    EXTENSION_GRANTED = "extension_granted"
    EXTENSION_REFUSED = "extension_refused"
    URGED = "urged"  # 催办 from the 督办 list
    DEADLINE = "deadline"  # a deadline reminder of `tracker remind`
    FOLLOWED = "followed"  # a newly public proposal matching a saved search or a follow
    COMMITMENT = "commitment"  # a promise of a reply is due or late (`tracker remind`)
    HOLDING_ANSWER = "holding_answer"  # 阶段性答复: an agency answered before its final reply
    REPLY_CORRECTED = "reply_corrected"  # 更正: an issued letter was corrected


class Channel(StrEnum):
    APP = "app"  # in the app only
    EMAIL = "email"  # and an e-mail at once
    DIGEST = "digest"  # and in the next daily digest e-mail


class Audience(StrEnum):
    """Who a step is for; the service finds the accounts."""

    MEMBERS = "members"  # the proposer and the confirmed joint proposers and co-signers
    STAFF = "staff"  # the committee office: every staff and admin account
    AGENCIES = "agencies"  # every agency handling the proposal now (lead and co-handling)
    LEAD_AGENCY = "lead_agency"  # the lead agency handling it now
    NAMED_AGENCY = "named_agency"  # the agency the step names (details["agency_id"]): 催办


@dataclass(frozen=True)
class StepRule:
    kind: Kind
    audiences: frozenset[Audience]


M, S, AG, LEAD = Audience.MEMBERS, Audience.STAFF, Audience.AGENCIES, Audience.LEAD_AGENCY

# Every action of the timeline, and what it tells whom (None: nobody). Withdrawing a draft, closing
# (办结, after the members have rated) and reclassifying tell no one: the issue does not list them
# and each is the last word of someone who already knows.
STEP_RULES: Mapping[Action, StepRule | None] = {
    Action.CREATE: None,
    Action.SUBMIT: StepRule(Kind.SUBMITTED, frozenset({S, M})),
    Action.WITHDRAW: None,
    Action.ACCEPT: StepRule(Kind.ACCEPTED, frozenset({M})),
    Action.NOT_ACCEPT: StepRule(Kind.NOT_ACCEPTED, frozenset({M})),
    Action.MERGE: StepRule(Kind.MERGED, frozenset({M})),
    Action.ASSIGN: StepRule(Kind.ASSIGNED, frozenset({AG})),
    Action.RETURN: StepRule(Kind.RETURNED, frozenset({S})),
    Action.REPLY: StepRule(Kind.REPLY_ISSUED, frozenset({M, S})),
    Action.SEND_BACK: StepRule(Kind.SENT_BACK, frozenset({LEAD})),
    Action.REOPEN: StepRule(Kind.REOPENED, frozenset({AG, M})),
    Action.CLOSE: None,
    Action.RECLASSIFY: None,
    Action.PUBLISH: StepRule(Kind.PUBLISHED, frozenset({M, AG})),
    Action.WITHHOLD: StepRule(Kind.WITHHELD, frozenset({M, AG})),
    Action.URGE: StepRule(Kind.URGED, frozenset({Audience.NAMED_AGENCY})),
}


def step_rule(action: str, *, after_return: bool = False) -> StepRule | None:
    """What a recorded step tells whom. An assignment made after an agency returned the proposal
    is a reassignment (重新交办), told as such to the agencies that now handle it."""
    rule = STEP_RULES.get(Action(action))
    if rule is not None and rule.kind == Kind.ASSIGNED and after_return:
        return StepRule(Kind.REASSIGNED, rule.audiences)
    return rule


# Events kept in rows of their own, not transitions: who their service tells.
EVENT_AUDIENCES: Mapping[Kind, str] = {
    Kind.COSIGN_INVITED: "the invited member",
    Kind.COSIGN_ANSWERED: "the proposer",
    Kind.CO_OPINION: "the lead agency",
    Kind.RATED: "the agency whose reply it is, and the committee office",
    Kind.EXTENSION_ASKED: "the committee office",
    Kind.EXTENSION_GRANTED: "the agency that asked",
    Kind.EXTENSION_REFUSED: "the agency that asked",
    Kind.DEADLINE: "the agency handling it",
    Kind.COMMITMENT: "the agency whose reply made the promise",
    Kind.HOLDING_ANSWER: "the members of the proposal, and the committee office",
    Kind.REPLY_CORRECTED: "the members of the proposal, the committee office, and the agency when staff corrected",
}

# Which kinds each role can receive (the settings page offers these).
KINDS_BY_ROLE: Mapping[str, tuple[Kind, ...]] = {
    "member": (
        Kind.COSIGN_INVITED,
        Kind.COSIGN_ANSWERED,
        Kind.SUBMITTED,
        Kind.ACCEPTED,
        Kind.NOT_ACCEPTED,
        Kind.MERGED,
        Kind.REPLY_ISSUED,
        Kind.REOPENED,
        Kind.PUBLISHED,
        Kind.WITHHELD,
        Kind.HOLDING_ANSWER,
        Kind.REPLY_CORRECTED,
    ),
    "agency": (
        Kind.ASSIGNED,
        Kind.REASSIGNED,
        Kind.CO_OPINION,
        Kind.SENT_BACK,
        Kind.REOPENED,
        Kind.RATED,
        Kind.PUBLISHED,
        Kind.WITHHELD,
        Kind.EXTENSION_GRANTED,
        Kind.EXTENSION_REFUSED,
        Kind.URGED,
        Kind.DEADLINE,
        Kind.COMMITMENT,
        Kind.REPLY_CORRECTED,
    ),
    "staff": (
        Kind.SUBMITTED,
        Kind.RETURNED,
        Kind.REPLY_ISSUED,
        Kind.RATED,
        Kind.EXTENSION_ASKED,
        Kind.HOLDING_ANSWER,
        Kind.REPLY_CORRECTED,
    ),
}
KINDS_BY_ROLE = {**KINDS_BY_ROLE, "admin": KINDS_BY_ROLE["staff"]}
# Anyone with an account may save searches and follow (tracker.domain.follows).
KINDS_BY_ROLE = {role: (*kinds, Kind.FOLLOWED) for role, kinds in KINDS_BY_ROLE.items()}

# The committee office is told of every submission, reply and rating: a busy office would drown in
# single e-mails, so these come in the daily digest unless someone chooses otherwise. What asks a
# person to act (a return, an extension to answer, an assignment, a 催办) comes at once.
_STAFF_DIGEST = frozenset(
    {Kind.SUBMITTED, Kind.REPLY_ISSUED, Kind.RATED, Kind.HOLDING_ANSWER, Kind.REPLY_CORRECTED}
)


def default_channel(kind: str, role: str) -> Channel:
    if kind == Kind.FOLLOWED:
        return Channel.DIGEST  # what someone follows is news, not a call to act: once a day
    if role in ("staff", "admin") and kind in _STAFF_DIGEST:
        return Channel.DIGEST
    return Channel.EMAIL


def channel_for(kind: str, role: str, chosen: Mapping[str, str]) -> Channel:
    """The person's choice for ``kind``, else the default for their role."""
    try:
        return Channel(chosen[kind])
    except (KeyError, ValueError):
        return default_channel(kind, role)


# -- what each notification says -------------------------------------------------------------------
# Parameters: title (the proposal's), case (its 案号 as people read it, or ""), note (a reason or
# remark), agency, member, deadline (a date as people read it), days, answer, rating, into.

MESSAGES: Mapping[Kind, str] = {
    Kind.COSIGN_INVITED: N_("%(member)s invites you to co-sign the proposal “%(title)s”."),
    Kind.COSIGN_ANSWERED: N_("%(member)s answered your invitation to co-sign “%(title)s”: %(answer)s."),
    Kind.SUBMITTED: N_("The proposal “%(title)s” was submitted."),
    Kind.ACCEPTED: N_("The proposal “%(title)s” was accepted as %(case)s."),
    Kind.NOT_ACCEPTED: N_("The proposal “%(title)s” was not accepted; it is kept as an opinion."),
    Kind.MERGED: N_("The proposal “%(title)s” was merged into proposal %(into)s."),
    Kind.ASSIGNED: N_(
        "The proposal %(case)s “%(title)s” was assigned to your agency; deadline %(deadline)s."
    ),
    Kind.REASSIGNED: N_(
        "The proposal %(case)s “%(title)s”, returned by another agency, was assigned to your agency; "
        "deadline %(deadline)s."
    ),
    Kind.RETURNED: N_("%(agency)s returned the proposal %(case)s “%(title)s”."),
    Kind.CO_OPINION: N_("%(agency)s sent its co-handling opinion on the proposal %(case)s “%(title)s”."),
    Kind.REPLY_ISSUED: N_("%(agency)s replied to the proposal %(case)s “%(title)s”."),
    Kind.SENT_BACK: N_("The committee office sent back your reply to the proposal %(case)s “%(title)s”."),
    Kind.REOPENED: N_("The proposal %(case)s “%(title)s” is to be handled again."),
    Kind.RATED: N_("%(member)s rated the reply to the proposal %(case)s “%(title)s”: %(rating)s."),
    Kind.PUBLISHED: N_("The proposal %(case)s “%(title)s” and its reply are published."),
    Kind.WITHHELD: N_("The proposal %(case)s “%(title)s” is withheld from the public archive."),
    Kind.EXTENSION_ASKED: N_(
        "%(agency)s asks for the deadline of the proposal %(case)s “%(title)s” to move to %(deadline)s."
    ),
    Kind.EXTENSION_GRANTED: N_(
        "The extension for the proposal %(case)s “%(title)s” was granted: the deadline is now %(deadline)s."
    ),
    Kind.EXTENSION_REFUSED: N_("The extension for the proposal %(case)s “%(title)s” was refused."),
    Kind.URGED: N_(
        "The committee office urges your agency to answer the proposal %(case)s “%(title)s” (催办)."
    ),
    Kind.DEADLINE: N_("The proposal %(case)s “%(title)s” is due on %(deadline)s."),
    Kind.FOLLOWED: N_("New in what you follow (%(follow)s): the proposal %(case)s “%(title)s” is published."),
    Kind.COMMITMENT: N_(
        "A commitment in your reply to the proposal %(case)s “%(title)s”, due on %(deadline)s, is not "
        "reported done: %(promise)s"
    ),
    Kind.HOLDING_ANSWER: N_(
        "%(agency)s sent a holding answer (阶段性答复) to the proposal %(case)s “%(title)s”; "
        "the final reply follows."
    ),
    Kind.REPLY_CORRECTED: N_("%(agency)s corrected its reply to the proposal %(case)s “%(title)s” (更正)."),
}

# The settings page's names of the kinds.
KIND_NAMES: Mapping[Kind, str] = {
    Kind.COSIGN_INVITED: N_("Invitation to co-sign"),
    Kind.COSIGN_ANSWERED: N_("Answer to your co-signing invitation"),
    Kind.SUBMITTED: N_("Proposal submitted"),
    Kind.ACCEPTED: N_("Proposal accepted"),
    Kind.NOT_ACCEPTED: N_("Proposal not accepted"),
    Kind.MERGED: N_("Proposal merged"),
    Kind.ASSIGNED: N_("Proposal assigned"),
    Kind.REASSIGNED: N_("Proposal reassigned"),
    Kind.RETURNED: N_("Assignment returned"),
    Kind.CO_OPINION: N_("Co-handling opinion received"),
    Kind.REPLY_ISSUED: N_("Reply issued"),
    Kind.SENT_BACK: N_("Reply sent back"),
    Kind.REOPENED: N_("Proposal reopened"),
    Kind.RATED: N_("Reply rated"),
    Kind.PUBLISHED: N_("Proposal published"),
    Kind.WITHHELD: N_("Proposal withheld"),
    Kind.EXTENSION_ASKED: N_("Extension asked"),
    Kind.EXTENSION_GRANTED: N_("Extension granted"),
    Kind.EXTENSION_REFUSED: N_("Extension refused"),
    Kind.URGED: N_("Urged to answer (催办)"),
    Kind.DEADLINE: N_("Deadline reminder"),
    Kind.FOLLOWED: N_("New in your saved searches and follows"),
    Kind.COMMITMENT: N_("Commitment due or late"),
    Kind.HOLDING_ANSWER: N_("Holding answer (阶段性答复)"),
    Kind.REPLY_CORRECTED: N_("Reply corrected (更正)"),
}


def link_path(kind: str, proposal_id: int | None) -> str:
    """Where a notification leads: the proposal, or for an invitation the member's page with it."""
    if proposal_id is None:
        return "/notifications"
    if kind == Kind.COSIGN_INVITED:
        return "/my#invitations"
    if kind == Kind.EXTENSION_ASKED:
        return "/review/extensions"
    if kind == Kind.COMMITMENT:
        return "/commitments"
    return f"/proposals/{proposal_id}"


# -- e-mail addresses --------------------------------------------------------------------------------


def clean_email(text: str | None) -> str:
    """An account's e-mail address as stored: trimmed and lower-case; "" for none."""
    return (text or "").strip().lower()


def check_email(address: str) -> None:
    if not address:
        return
    if len(address) > EMAIL_LIMIT or not EMAIL.fullmatch(address) or re.search(r"[\x00-\x1f<>,;]", address):
        raise RuleError(Problem("email", N_("Enter the e-mail address as name@example.cn.")))


# -- deadline reminders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderPlan:
    """When `tracker remind` reminds an agency of a deadline: ``before`` days ahead (15 and 3 by
    default; on the day itself when 0 is among them), the first day it is overdue, then every
    ``overdue_every`` days (0: not again)."""

    before: tuple[int, ...] = (15, 3)
    overdue_every: int = 7


def reminder_point(deadline: date, today: date, plan: ReminderPlan) -> str | None:
    """The latest reminder point reached by ``today``, or None before the first.

    A run that missed a day sends the latest point only (not a stale "15 days before" when 3 are
    left). The key names the deadline too, so an extended deadline is reminded of afresh.
    """
    left = (deadline - today).days
    if left >= 0:
        reached = [d for d in plan.before if d >= left]
        return f"{deadline.isoformat()}/before-{min(reached)}" if reached else None
    every = plan.overdue_every
    late = 1 + (-left - 1) // every * every if every > 0 else 1
    return f"{deadline.isoformat()}/overdue-{late}"


def parse_days(values: Iterable[int | str] | str, setting: str) -> tuple[int, ...]:
    """A list of whole days from config ("15, 3" or [15, 3]); ValueError names the setting."""
    items = values.split(",") if isinstance(values, str) else list(values)
    try:
        days = tuple(sorted({int(str(v).strip()) for v in items if str(v).strip()}, reverse=True))
    except ValueError:
        raise ValueError(f"{setting}: whole numbers of days, e.g. 15, 3") from None
    if any(d < 0 for d in days):
        raise ValueError(f"{setting}: days cannot be negative")
    return days


# -- the mail queue ------------------------------------------------------------------------------------


def retry_at(attempts: int, failed_at: datetime, base_seconds: int) -> datetime:
    """When a mail that failed ``attempts`` times is tried again: the wait doubles each time, from
    ``base_seconds`` up to six hours, so a mail server down for a night is not hammered."""
    wait = min(base_seconds * 2 ** max(attempts - 1, 0), 6 * 3600)
    return failed_at + timedelta(seconds=wait)
