"""Commitments on the pages: the agency confirms, corrects and reports on its reply's commitments;
a form that fails comes back as typed; the public sees confirmed commitments of published replies
with their state on the day asked (an injected clock); the 督办 list shows the late ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from sqlmodel import Session, select

from tests.services.test_commitments_service import NOW, issue_class_b
from tracker.db import get_engine
from tracker.models import Commitment, CommitmentReport, Proposal
from tracker.services import oversight
from tracker.services.visibility import clock


def _on(day: date):
    """Judge "today" (late) and publication as on ``day``, mid-morning in the office."""
    return clock(lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=2))


def _issued(app: Flask, session: Session, case) -> tuple[int, list[int], int]:
    reply = issue_class_b(session, case)
    session.commit()
    ids = [
        c.id
        for c in session.exec(
            select(Commitment).where(Commitment.reply_id == reply.id).order_by(Commitment.due_on)
        ).all()
    ]
    meeting_id = session.get(Proposal, case.proposal_id).meeting_id
    return reply.id, ids, meeting_id


def test_one_done_one_late_on_the_public_page_and_in_the_oversight_list(
    app: Flask, client, login, session: Session, assigned_case
) -> None:
    reply_id, (first, second), meeting_id = _issued(app, session, assigned_case)
    login(client, "agency")
    with _on(date(2025, 4, 1)):
        page = client.get(f"/replies/{reply_id}/commitments").get_data(as_text=True)
        assert "力争2025年6月底前出台实施意见" in page and "2025年12月底前" in page
        for cid, due in ((first, "2025-06-30"), (second, "2025-12-31")):
            response = client.post(f"/commitments/{cid}/confirm", data={"text": f"承诺{cid}", "due": due})
            assert response.status_code == 303
    with _on(date(2025, 6, 25)):
        response = client.post(f"/commitments/{first}/report", data={"kind": "done", "note": "已印发。"})
        assert response.status_code == 303
    oversight.publish(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.staff, now=NOW
    )
    session.commit()
    client.post("/logout")

    with _on(date(2025, 12, 31)):
        page = client.get(f"/accountability/sessions/{meeting_id}").get_data(as_text=True)
        assert "已逾期" not in page.split("<ol", 1)[-1]
    with _on(date(2026, 1, 1)):
        response = client.get(f"/accountability/sessions/{meeting_id}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        items = page.split('id="c')[1:]
        done = next(i for i in items if i.startswith(f'{first}"'))
        late = next(i for i in items if i.startswith(f'{second}"'))
        assert "state-done" in done and "已印发。" in done
        assert "state-late" in late and "逾期1天" in late
        by_state = client.get(f"/accountability/sessions/{meeting_id}?state=late").get_data(as_text=True)
        assert f'id="c{second}"' in by_state and f'id="c{first}"' not in by_state
        agency_page = client.get(f"/accountability/agencies/{assigned_case.lead.agency_id}").get_data(
            as_text=True
        )
        assert f'id="c{second}"' in agency_page
        login(client, "staff")
        overdue = client.get("/review/overdue").get_data(as_text=True)
        late_part = overdue.split('id="late-commitments"', 1)[1]
        assert f'id="c{second}"' in late_part and f'id="c{first}"' not in late_part
    with _on(date(2025, 12, 31)):
        overdue = client.get("/review/overdue").get_data(as_text=True)
        assert f'id="c{second}"' not in overdue.split('id="late-commitments"', 1)[1]


def test_a_form_that_fails_comes_back_as_typed_and_changes_nothing(
    app: Flask, client, login, session: Session, assigned_case
) -> None:
    reply_id, (first, _second), _m = _issued(app, session, assigned_case)
    login(client, "agency")
    response = client.post(f"/commitments/{first}/confirm", data={"text": "改写的承诺", "due": "2025-13-40"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "改写的承诺" in page and "2025-13-40" in page and 'aria-invalid="true"' in page
    response = client.post(f"/commitments/{first}/report", data={"kind": "dropped", "note": ""})
    assert response.status_code == 422
    response = client.post(f"/replies/{reply_id}/commitments", data={"point": "", "text": "新增", "due": ""})
    assert response.status_code == 422 and "新增" in response.get_data(as_text=True)
    with Session(get_engine(app)) as fresh:
        row = fresh.get(Commitment, first)
        assert row.confirmed_at is None and row.text.startswith("我局将会同")
        assert fresh.exec(select(CommitmentReport)).all() == []
        assert len(fresh.exec(select(Commitment).where(Commitment.reply_id == reply_id)).all()) == 2


def test_the_public_sees_no_suggestion_nobody_confirmed(
    app: Flask, client, login, session: Session, assigned_case
) -> None:
    reply_id, (first, second), meeting_id = _issued(app, session, assigned_case)
    oversight.publish(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.staff, now=NOW
    )
    session.commit()
    page = client.get(f"/accountability/sessions/{meeting_id}").get_data(as_text=True)
    assert f'id="c{first}"' not in page and f'id="c{second}"' not in page
    login(client, "agency")
    assert (
        client.post(
            f"/commitments/{second}/confirm", data={"text": "建成平台", "due": "2025-12-31"}
        ).status_code
        == 303
    )
    client.post("/logout")
    page = client.get(f"/accountability/sessions/{meeting_id}").get_data(as_text=True)
    assert f'id="c{second}"' in page and "建成平台" in page and f'id="c{first}"' not in page
    index = client.get("/accountability").get_data(as_text=True)
    assert f"/accountability/sessions/{meeting_id}" in index
    # another agency's account does not learn of them
    login(client, "admin")
    assert client.get(f"/replies/{reply_id}/commitments").status_code == 200


def test_submitting_a_class_b_reply_leads_to_its_commitments_to_confirm(
    app: Flask, client, login, parse_html, session: Session, assigned_case
) -> None:
    from tests.web.test_web_reply_editor import _form

    login(client, "agency")
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    data = _form(parse_html(client.get(url).data))
    for n, sid in enumerate(assigned_case.suggestion_ids):
        data[f"answer-{sid}"] = "力争2027年6月底前出台实施意见。" if n == 0 else "已按建议办理。"
    data["outcome"] = "B"
    response = client.post(url, data={**data, "op": "submit"})
    assert response.status_code == 303
    assert "/commitments" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "力争2027年6月底前出台实施意见" in page and "尚未确认" in page and "2027-06-30" in page
