"""Extension requests through the pages: the agency asks from its inbox (a failed form comes back as
typed), staff see the count and the queue, grant or refuse, and the proposal's timeline says so."""

from __future__ import annotations

from datetime import UTC, date, datetime
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tracker import create_app
from tracker.config import ConfigError
from tracker.db import get_engine
from tracker.models import Agency, Assignment, ExtensionRequest, User
from tracker.services import workflow
from tracker.services.visibility import Role, Viewer
from tracker.web import inbox

TODAY = date(2025, 3, 10)
DEADLINE = date(2025, 6, 10)


@pytest.fixture
def assigned(session: Session, make) -> int:
    """A proposal assigned to the demo agency (镇海区经信局) as lead, deadline 2025-06-10."""
    staff_user = session.exec(select(User).where(User.username == "staff")).one()
    agency_user = session.exec(select(User).where(User.username == "agency")).one()
    staff = Viewer(Role.STAFF, user_id=staff_user.id)
    proposal = make.proposal(title="关于延期测试的建议", status="accepted")
    workflow.assign(
        session=session,
        proposal_ids=[proposal.id],
        actor=staff,
        lead_agency_id=agency_user.agency_id,
        today=TODAY,
        deadline=DEADLINE,
    )
    session.commit()
    return proposal.id


def _requests(app: Flask) -> list[ExtensionRequest]:
    with Session(get_engine(app)) as session:
        return list(session.exec(select(ExtensionRequest)).all())


def _deadline(app: Flask, proposal_id: int) -> date:
    with Session(get_engine(app)) as session:
        return session.exec(select(Assignment).where(Assignment.proposal_id == proposal_id)).one().deadline


def test_a_failed_request_comes_back_as_typed(
    app: Flask, client: FlaskClient, login, assigned: int, parse_html
) -> None:
    login(client, "agency")
    response = client.post(
        f"/inbox/{assigned}/extension",
        data={"requested_deadline": "2025-06-01", "reason": "需要会同多部门调研论证"},
    )
    assert response.status_code == 422
    page = parse_html(response.get_data(as_text=True))
    reason = page.by_id(f"extension-{assigned}-reason")
    assert reason.text() == "需要会同多部门调研论证"
    typed = page.by_id(f"extension-{assigned}-requested_deadline")
    assert typed.attrs["value"] == "2025-06-01"
    assert "新的期限须晚于目前的期限" in response.get_data(as_text=True)
    assert _requests(app) == []
    # a date that is not one is said as such
    response = client.post(
        f"/inbox/{assigned}/extension", data={"requested_deadline": "下个月", "reason": "理由"}
    )
    assert response.status_code == 422
    assert "2025-06-30" in response.get_data(as_text=True)
    assert _requests(app) == []


def test_ask_grant_and_the_timeline(app: Flask, client: FlaskClient, login, assigned: int) -> None:
    login(client, "agency")
    response = client.post(
        f"/inbox/{assigned}/extension", data={"requested_deadline": "2025-07-10", "reason": "需跨部门协调"}
    )
    assert response.status_code == 303
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "等待提案委员会办公室答复" in inbox  # the pending request, not the form again
    assert f'action="/inbox/{assigned}/extension"' not in inbox
    # a second request while the first waits is refused, with the reason
    again = client.post(
        f"/inbox/{assigned}/extension", data={"requested_deadline": "2025-07-20", "reason": "再次"}
    )
    assert again.status_code == 409
    assert len(_requests(app)) == 1

    login(client, "staff")
    assert '延期申请 <span class="count">1</span>' in client.get("/review").get_data(as_text=True)
    assert '延期申请 <span class="count">1</span>' in client.get("/review/overdue").get_data(as_text=True)
    queue = client.get("/review/extensions").get_data(as_text=True)
    assert "关于延期测试的建议" in queue and "需跨部门协调" in queue
    [asked] = _requests(app)
    response = client.post(
        f"/review/extensions/{asked.id}/grant", data={"deadline": "2025-07-01", "note": "同意延至7月1日"}
    )
    assert response.status_code == 303
    assert _deadline(app, assigned) == date(2025, 7, 1)
    assert '延期申请 <span class="count">0</span>' in client.get("/review").get_data(as_text=True)

    timeline = client.get(f"/proposals/{assigned}").get_data(as_text=True)
    assert "申请延期" in timeline and "同意延期" in timeline
    assert "需跨部门协调" in timeline and "同意延至7月1日" in timeline
    assert "新的期限 2025年7月1日" in timeline


def test_refuse_needs_a_reason_and_keeps_the_deadline(
    app: Flask, client: FlaskClient, login, assigned: int, parse_html
) -> None:
    login(client, "agency")
    client.post(
        f"/inbox/{assigned}/extension", data={"requested_deadline": "2025-07-10", "reason": "需跨部门协调"}
    )
    [asked] = _requests(app)
    login(client, "staff")
    response = client.post(f"/review/extensions/{asked.id}/refuse", data={"reason": "  "})
    assert response.status_code == 422
    assert "请说明不同意延期的理由" in response.get_data(as_text=True)
    response = client.post(f"/review/extensions/{asked.id}/refuse", data={"reason": "请按期办理"})
    assert response.status_code == 303
    assert _deadline(app, assigned) == DEADLINE
    # answered: a second answer is refused and changes nothing
    response = client.post(f"/review/extensions/{asked.id}/grant", data={})
    assert response.status_code == 409
    assert _deadline(app, assigned) == DEADLINE
    timeline = client.get(f"/proposals/{assigned}").get_data(as_text=True)
    assert "不同意延期" in timeline and "请按期办理" in timeline


def test_another_agency_cannot_ask(
    app: Flask, client: FlaskClient, login, assigned: int, session: Session, make
) -> None:
    other = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    make.user(username="shangwu", role="agency", agency_id=other.id)
    session.commit()
    login(client, "shangwu")
    response = client.post(
        f"/inbox/{assigned}/extension", data={"requested_deadline": "2025-07-10", "reason": "x"}
    )
    assert response.status_code == 404
    assert _requests(app) == []


# -- the working-day return window, configured ----------------------------------------------------------


def test_a_mistyped_calendar_refuses_to_start(tmp_path) -> None:
    base = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SEARCH_CHECK_ON_START": False,
    }
    with pytest.raises(ConfigError, match="RETURN_WINDOW_KIND"):
        create_app({**base, "RETURN_WINDOW_KIND": "weekdays"})
    with pytest.raises(ConfigError, match="MAKEUP_WORKDAYS"):
        create_app({**base, "MAKEUP_WORKDAYS": ["2025-09-31"]})
    app = create_app({**base, "RETURN_WINDOW_KIND": "working", "HOLIDAYS": "2025-10-01,2025-10-02"})
    assert app.config["HOLIDAYS"] == [date(2025, 10, 1), date(2025, 10, 2)]


def test_the_inbox_counts_the_return_window_in_working_days(
    app: Flask, client: FlaskClient, login, assigned: int, session: Session
) -> None:
    """Assigned on Tuesday 30 September 2025, two working days with the National Day holiday
    configured: returnable until 10 October (in calendar days it would end on 2 October)."""
    app.config.update(
        RETURN_WINDOW_KIND="working",
        RETURN_WINDOW_DAYS=2,
        HOLIDAYS=[date(2025, 10, d) for d in range(1, 9)],
        MAKEUP_WORKDAYS=[date(2025, 9, 28), date(2025, 10, 11)],
    )
    row = session.exec(select(Assignment).where(Assignment.proposal_id == assigned)).one()
    row.assigned_at = datetime(2025, 9, 30, 2, tzinfo=UTC)
    session.commit()
    login(client, "agency")
    shanghai_now = datetime(2025, 10, 9, 12, 0, tzinfo=UTC)
    with mock.patch.object(inbox, "local_now", return_value=shanghai_now):
        page = client.get("/inbox").get_data(as_text=True)
    assert "可退回（2025年10月10日 前）" in page
