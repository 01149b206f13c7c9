"""Translatable labels for the codes stored in the database."""

from __future__ import annotations

from flask_babel import gettext

from tracker.domain.follows import FollowKind
from tracker.domain.notifications import Channel
from tracker.domain.sessions import display_name
from tracker.domain.workflow import Action
from tracker.i18n import lazy_gettext as _l
from tracker.models import (
    DraftStatus,
    ExemptionKind,
    LinkMethod,
    Meeting,
    MemberKind,
    ProposalStatus,
    Rating,
    ReplyOutcome,
    ReplyRole,
    ReplyStatus,
    SignerStatus,
    UserRole,
)
from tracker.services.workflow import Event

PROPOSAL_STATUS = {
    ProposalStatus.DRAFT: _l("Draft"),
    ProposalStatus.SUBMITTED: _l("Submitted"),
    ProposalStatus.ACCEPTED: _l("Accepted"),
    ProposalStatus.NOT_ACCEPTED: _l("Not accepted"),
    ProposalStatus.MERGED: _l("Merged"),
    ProposalStatus.ASSIGNED: _l("Assigned"),
    ProposalStatus.REPLIED: _l("Replied"),
    ProposalStatus.CLOSED: _l("Closed"),
}
MEMBER_KIND = {
    MemberKind.MEMBER: _l("CPPCC member"),
    MemberKind.DEPUTY: _l("Deputy"),
    MemberKind.ORGANISATION: _l("Organisation"),
}
REPLY_ROLE = {ReplyRole.LEAD: _l("Lead office"), ReplyRole.CO: _l("Co-handling office")}
REPLY_STATUS = {
    ReplyStatus.DRAFT: _l("Draft"),
    ReplyStatus.ISSUED: _l("Issued"),
    ReplyStatus.RETURNED: _l("Sent back for correction"),
    ReplyStatus.SUPERSEDED: _l("Superseded by re-handling"),
    ReplyStatus.HOLDING: _l("Holding answer (阶段性答复)"),
    ReplyStatus.CORRECTED: _l("Corrected since (更正)"),
}
DRAFT_STATUS = {DraftStatus.DRAFT: _l("Draft"), DraftStatus.SUBMITTED: _l("Submitted")}
# The classes of a reply (办复类别), named as the committee defines them.
REPLY_OUTCOME = {
    ReplyOutcome.A: _l("A — solved or mostly solved, or adopted"),
    ReplyOutcome.B: _l("B — being solved, or in the plans"),
    ReplyOutcome.C: _l("C — kept for reference: conditions do not allow it yet"),
}
COMMITMENT_STATE = {
    "open": _l("Under way"),
    "late": _l("Late"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
}
COMMITMENT_REPORT = {"progress": _l("Progress"), "done": _l("Done"), "dropped": _l("Dropped")}
COMMITMENT_SURENESS = {
    "high": _l("Date as stated"),
    "medium": _l("Date worked out"),
    "low": _l("No date found"),
}
RATING = {
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Rating.DISSATISFIED: _l("Dissatisfied"),
}
EXEMPTION_KIND = {
    ExemptionKind.TOGETHER: _l("Answered together with another suggestion"),
    ExemptionKind.NOT_ANSWERABLE: _l("Not answerable"),
}
LINK_METHOD = {
    LinkMethod.TITLE: _l("matched by title"),
    LinkMethod.SIMILARITY: _l("matched by wording"),
    LinkMethod.NUMBER: _l("matched by number"),
    LinkMethod.MANUAL: _l("linked by hand"),
}
DOCUMENT_KIND = {
    "policy": _l("Policy document"),
    "plan": _l("Plan"),
    "paper": _l("Paper"),
    "news": _l("News"),
}
LANGUAGE = {"zh": _l("Chinese"), "en": _l("English")}
ACTION = {
    Action.CREATE: _l("Create"),
    Action.SUBMIT: _l("Submit"),
    Action.WITHDRAW: _l("Withdraw"),
    Action.ACCEPT: _l("Accept"),
    Action.NOT_ACCEPT: _l("Not accept"),
    Action.MERGE: _l("Merge"),
    Action.ASSIGN: _l("Assign"),
    Action.RETURN: _l("Return the assignment"),  # the agency's 退回, not the staff's send-back
    Action.REPLY: _l("Reply"),
    Action.SEND_BACK: _l("Send the reply back for changes"),
    Action.REOPEN: _l("Reopen for re-handling"),
    Action.CLOSE: _l("Close"),
    Action.RECLASSIFY: _l("Change the class"),
    Action.PUBLISH: _l("Publish"),
    Action.WITHHOLD: _l("Withhold"),
    Action.URGE: _l("Urge (催办)"),
}
# Timeline entries read from rows of their own (tracker.services.workflow.Event)
TIMELINE_EVENT = {
    Event.COSIGN_CONFIRM: _l("Co-signing confirmed"),
    Event.COSIGN_DECLINE: _l("Co-signing declined"),
    Event.RATE: _l("Reply rated"),
    Event.CO_OPINION: _l("Co-handling opinion sent"),
    Event.EXTENSION_REQUEST: _l("Extension requested"),
    Event.EXTENSION_GRANT: _l("Extension granted"),
    Event.EXTENSION_REFUSE: _l("Extension refused"),
    Event.HOLDING_ANSWER: _l("Holding answer sent (阶段性答复)"),
    Event.CORRECTION: _l("Letter corrected (更正)"),
}
SIGNER_STATUS = {
    SignerStatus.PENDING: _l("Not answered yet"),
    SignerStatus.CONFIRMED: _l("Confirmed"),
    SignerStatus.DECLINED: _l("Declined"),
}
USER_ROLE = {
    UserRole.MEMBER: _l("Member"),
    UserRole.AGENCY: _l("Agency staff"),
    UserRole.STAFF: _l("Committee office"),
    UserRole.ADMIN: _l("Administrator"),
}

NOTIFICATION_CHANNEL = {  # issue 15: how a person is told
    Channel.APP: _l("In the app only"),
    Channel.EMAIL: _l("E-mail at once"),
    Channel.DIGEST: _l("Daily digest"),
}
FOLLOW_KIND = {  # issue 15: what a follow watches
    FollowKind.SEARCH: _l("Saved search"),
    FollowKind.AGENCY: _l("Agency"),
    FollowKind.CATEGORY: _l("Category"),
    FollowKind.SESSION: _l("Session"),
}


LABELS = {
    "proposal_status": PROPOSAL_STATUS,
    "member_kind": MEMBER_KIND,
    "reply_role": REPLY_ROLE,
    "reply_status": REPLY_STATUS,
    "draft_status": DRAFT_STATUS,
    "reply_outcome": REPLY_OUTCOME,
    "rating": RATING,
    "commitment_state": COMMITMENT_STATE,
    "commitment_report": COMMITMENT_REPORT,
    "commitment_sureness": COMMITMENT_SURENESS,
    "exemption_kind": EXEMPTION_KIND,
    "link_method": LINK_METHOD,
    "document_kind": DOCUMENT_KIND,
    "language": LANGUAGE,
    "action": ACTION,
    "timeline_event": TIMELINE_EVENT,
    "notification_channel": NOTIFICATION_CHANNEL,
    "signer_status": SIGNER_STATUS,
    "user_role": USER_ROLE,
    "follow_kind": FOLLOW_KIND,
}


def label(kind: str, code: str | None) -> str:
    """The label of a stored code, or the code itself when it has none (data from a newer version)."""
    if code is None:
        return ""
    return str(LABELS[kind].get(code, code))


def meeting_label(meeting: Meeting | None, *, short: bool = False) -> str:
    """How a session is named on a page: its full name (政协宁波市镇海区第十届委员会第三次会议), or with
    ``short`` its short name (十届三次) when it has one; older records "政协 第十届第三次会议", or say
    what is not stated."""
    if meeting is None:
        return gettext("Session not stated")
    if short and meeting.short_name:
        return meeting.short_name
    return session_name(meeting.body, meeting.name, meeting.year)


def session_name(body: str | None, name: str | None, year: int | None) -> str:
    """A session's full name from its parts (a search result keeps the parts, not the row)."""
    if name:
        return display_name(body, name)
    if year:
        return gettext("%(body)s %(year)s, session not stated", body=body or "", year=year)
    return gettext("%(body)s, session not stated", body=body or "")
