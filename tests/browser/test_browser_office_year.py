"""Issue 12's first acceptance line in a real browser: a committee office sets up its year without a
developer, and everything downstream names the new session in full.

The admin creates a session and makes it current, adds a member and an agency and an account for
each, and imports 50 members from an .xlsx workbook holding one bad row (reported with its row
number; the 50 others are all imported). The new member submits a proposal; staff accept it as
第1号 of the new session and assign it to the new agency; the agency drafts and submits a reply.
The proposal page, the staff search result, the statistics row and the Word letter's title name the
session in full. Finally the admin deactivates the member in one browser while the member's own
browser is still open: its next request lands on the login page. CSRF protection is on, as in
production; every step is done through the forms, as a person would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "proposal.txt"
FULL_NAME = "政协宁波市镇海区第十一届委员会第一次会议"
MEMBER = "陈晓东"
AGENCY = "宁波市镇海区大数据发展管理局"
AGENCY_SHORT = "区大数据局"
TITLE = "关于推进小微企业数字化服务的建议"
AGENCY_PASSWORD = "dashuju-2027-pass"
# The imported members: 50 good rows and one whose kind is not one the office knows.
IMPORTED = [f"导入委员{n:02d}" for n in range(1, 51)]
BAD_ROW_NAME = "错误行委员"
BAD_ROW = 27  # the spreadsheet row (the header is row 1)
ANSWER = "区大数据局已将小微企业数字化服务列入年度计划，统筹推进。"


def _workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份", "界别", "党派", "联系电话", "状态"])
    rows = [[name, "委员", "科技界", "九三学社", f"1380000{n:04d}", "是"] for n, name in enumerate(IMPORTED)]
    rows.insert(BAD_ROW - 2, [BAD_ROW_NAME, "部长", "科技界", "", "", "是"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _flash(page) -> str:
    return page.locator(".flashes").inner_text()


def test_office_sets_up_its_year_and_everything_names_the_session(
    server: str, browser, shots: Path, log_in, log_out, tmp_path: Path
) -> None:
    admin_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = admin_context.new_page()
    page.set_default_timeout(15_000)

    # -- 1. the admin creates the session and makes it current ------------------------------------
    log_in(page, server, "admin", "admin-demo")
    page.get_by_role("link", name="系统管理").click()
    page.wait_for_load_state()
    page.screenshot(path=str(shots / "year-01-admin-index.png"), full_page=True)
    page.get_by_role("link", name="新建会议").first.click()
    page.wait_for_load_state()
    page.get_by_label("机构类别", exact=True).select_option("政协")
    page.get_by_label("机构全称", exact=True).fill("政协宁波市镇海区委员会")
    page.get_by_label("届次", exact=True).fill("第十一届")
    page.get_by_label("次会议", exact=True).fill("第一次会议")
    page.get_by_label("年份", exact=True).fill("2027")
    page.get_by_label("开放：工作人员现可将提案立案到本会议").check()
    page.get_by_label("设为当前会议").check()
    page.screenshot(path=str(shots / "year-02-session-form.png"), full_page=True)
    page.get_by_role("button", name="新建会议").click()
    page.wait_for_load_state()
    assert f"已新建会议：{FULL_NAME}。" in _flash(page)
    assert FULL_NAME in page.locator("tr.current").inner_text()
    page.screenshot(path=str(shots / "year-03-sessions.png"), full_page=True)

    # -- 2. a member and an agency -------------------------------------------------------------------
    page.locator(".queue-tabs").get_by_role("link", name="委员").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="新建委员").first.click()
    page.wait_for_load_state()
    page.get_by_label("姓名", exact=True).fill(MEMBER)
    page.get_by_label("界别", exact=True).fill("经济界")
    page.get_by_label("党派或团体", exact=True).fill("民建")
    page.get_by_label("联系电话", exact=True).fill("13900001111")
    page.screenshot(path=str(shots / "year-04-member-form.png"), full_page=True)
    page.get_by_role("button", name="添加委员").click()
    page.wait_for_load_state()
    assert "委员已添加" in _flash(page)
    assert MEMBER in page.locator("table").inner_text()
    page.screenshot(path=str(shots / "year-05-member-added.png"), full_page=True)

    page.goto(f"{server}/admin/agencies")
    page.get_by_role("link", name="新建单位").first.click()
    page.wait_for_load_state()
    page.get_by_label("单位全称", exact=True).fill(AGENCY)
    page.get_by_label("简称", exact=True).fill(AGENCY_SHORT)
    page.get_by_label("类别", exact=True).select_option(label="区级部门")
    page.screenshot(path=str(shots / "year-06-agency-form.png"), full_page=True)
    page.get_by_role("button", name="添加单位").click()
    page.wait_for_load_state()
    assert "已添加" in _flash(page)
    assert AGENCY in page.locator("table").inner_text()
    page.screenshot(path=str(shots / "year-07-agency-added.png"), full_page=True)

    # -- 3. an account for each: the member's password generated and shown once, the agency's typed --
    passwords = {}
    for username, role, field, bound, typed in (
        ("chenxd", "委员", "委员（委员账号）", MEMBER, None),
        ("dashuju", "承办单位", "承办单位（承办单位账号）", AGENCY, AGENCY_PASSWORD),
    ):
        page.goto(f"{server}/admin/users")
        page.get_by_role("link", name="新建账号").first.click()
        page.wait_for_load_state()
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("角色", exact=True).select_option(label=role)
        page.get_by_label(field, exact=True).select_option(label=bound)
        if typed:
            page.get_by_label("自动生成密码（仅显示一次）").uncheck()
            page.get_by_label("临时密码", exact=True).fill(typed)
        page.screenshot(path=str(shots / f"year-08-account-{username}.png"), full_page=True)
        page.get_by_role("button", name="新建账号").click()
        page.wait_for_load_state()
        if typed:
            assert f"已新建账号：{username}。" in _flash(page)
            passwords[username] = typed
        else:
            assert username in page.locator("h1").inner_text()
            passwords[username] = page.locator("#new-password").inner_text()
            assert len(passwords[username]) >= 8
            page.screenshot(path=str(shots / "year-09-account-password-once.png"), full_page=True)

    # -- 4. 50 members from a workbook with one bad row ---------------------------------------------
    page.get_by_role("link", name="系统管理").click()
    page.wait_for_load_state()
    page.locator(".queue-tabs").get_by_role("link", name="导入").click()
    page.wait_for_load_state()
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(_workbook(tmp_path / "委员名单.xlsx"))
    page.get_by_label("文件内容").select_option("members")
    page.screenshot(path=str(shots / "year-10-import-form.png"), full_page=True)
    page.get_by_role("button", name="预览导入结果").click()
    page.wait_for_load_state()
    preview = page.locator("table.import-preview tbody tr")
    assert preview.count() == 51
    assert page.locator("tr.import-create").count() == 50
    bad = page.locator("tr.import-error")
    assert bad.count() == 1 and bad.locator("td").first.inner_text() == str(BAD_ROW)
    assert BAD_ROW_NAME in bad.inner_text()
    page.screenshot(path=str(shots / "year-11-import-preview.png"), full_page=True)
    page.get_by_role("button", name="导入有效的行").click()
    page.wait_for_load_state()
    errors = page.locator("table.import-errors tbody tr")
    assert errors.count() == 1
    assert errors.locator("td").first.inner_text() == str(BAD_ROW) and BAD_ROW_NAME in errors.inner_text()
    page.screenshot(path=str(shots / "year-12-import-done.png"), full_page=True)
    # nothing else lost: every good row is a member now, the bad one is not
    page.goto(f"{server}/admin/members?q=导入委员&per_page=100")
    listed = page.locator("table tbody tr").all_inner_texts()
    assert sorted(name for name in IMPORTED if any(name in row for row in listed)) == IMPORTED
    page.goto(f"{server}/admin/members?q={BAD_ROW_NAME}")
    box, button = page.locator("#people-q").bounding_box(), page.locator(".filters button").bounding_box()
    assert box["width"] >= 200 and abs(box["height"] - button["height"]) <= 4  # a search box, not a slit
    assert BAD_ROW_NAME not in page.locator("main").inner_text().replace(f"“{BAD_ROW_NAME}”", "")
    page.screenshot(path=str(shots / "year-13-members.png"), full_page=True)
    log_out(page)

    # -- 5. the new member submits a proposal (their browser stays open to the end) ---------------
    member_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    member = member_context.new_page()
    member.set_default_timeout(15_000)
    log_in(member, server, "chenxd", passwords["chenxd"])
    assert member.url.endswith("/my")
    member.get_by_role("link", name="撰写提案").first.click()
    member.get_by_label("标题").fill(TITLE)
    member.get_by_label("类别").select_option("经济发展")
    member.get_by_label("粘贴提案全文").fill(SEED.read_text(encoding="utf-8"))
    member.get_by_role("button", name="拆分为建议").click()
    member.wait_for_load_state()
    member.get_by_role("button", name="提交", exact=True).click()
    member.wait_for_load_state()
    assert "提案已提交提案委员会办公室" in _flash(member)
    member.screenshot(path=str(shots / "year-14-member-submitted.png"), full_page=True)
    proposal_id = int(member.url.rstrip("/").split("/")[-1])

    # -- 6. staff accept it as 第1号 of the new session and assign it to the new agency ---------
    log_in(page, server, "staff", "staff-demo")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    choice = page.locator("form[action$='/accept'] select")
    assert choice.locator("option:checked").inner_text() == FULL_NAME
    page.get_by_role("button", name="立案", exact=True).click()
    page.wait_for_load_state()
    assert "提案已立案并编排案号" in _flash(page)
    assert "第1号提案" in page.locator(".eyebrow").inner_text()
    page.get_by_label("主办单位").select_option(label=AGENCY)
    page.get_by_role("button", name="交办", exact=True).click()
    page.wait_for_load_state()
    assert "提案已交办" in _flash(page)
    page.screenshot(path=str(shots / "year-15-staff-assigned.png"), full_page=True)
    log_out(page)

    # -- 7. the agency drafts and submits the reply; its Word letter names the session -------------
    log_in(page, server, "dashuju", AGENCY_PASSWORD)
    assert page.url.endswith("/inbox")
    item = page.locator(".proposal-item", has_text=TITLE)
    assert "第1号" in item.inner_text()
    item.get_by_role("link", name="撰写答复").click()
    page.wait_for_load_state()
    answers = page.locator("textarea[name^='answer-']")
    for n in range(answers.count()):
        answers.nth(n).fill(f"{ANSWER}（第{n + 1}条）")
    page.get_by_label("A 类", exact=False).check()
    page.screenshot(path=str(shots / "year-16-agency-editor.png"), full_page=True)
    page.get_by_role("button", name="检查并提交答复").click()
    page.wait_for_load_state()
    assert "答复已提交" in _flash(page)
    with page.expect_download() as download:
        page.locator(".reply-links").get_by_role("link", name="Word").click()
    letter = Document(download.value.path())
    texts = [p.text for p in letter.paragraphs if p.text.strip()]
    title = next(t for t in texts if t.endswith("提案的答复"))  # after the 办复类别 line at the top right
    assert title == f"关于{FULL_NAME}第1号提案的答复", texts[:4]
    log_out(page)

    # -- 8. its page, the search result and the statistics row name the session in full ---------
    log_in(page, server, "staff", "staff-demo")
    page.goto(f"{server}/proposals/{proposal_id}")
    assert FULL_NAME in page.locator("header.doc-header").inner_text()
    page.screenshot(path=str(shots / "year-17-proposal.png"), full_page=True)
    page.locator("header").get_by_role("searchbox").fill("小微企业数字化服务")
    page.locator("header").get_by_role("searchbox").press("Enter")
    page.wait_for_load_state()
    hit = page.locator(".result", has_text=TITLE)
    assert hit.count() == 1 and FULL_NAME in hit.inner_text()
    page.screenshot(path=str(shots / "year-18-search.png"), full_page=True)
    page.get_by_role("link", name="统计").first.click()
    page.wait_for_load_state()
    row = page.locator("tbody tr", has_text=FULL_NAME)
    assert row.count() == 1
    cells = row.locator("th, td").all_inner_texts()
    assert cells[0] == FULL_NAME and cells[1:3] == ["1", "1"]  # submitted 1, accepted 1
    page.screenshot(path=str(shots / "year-19-statistics.png"), full_page=True)
    log_out(page)

    # -- 9. the admin deactivates the member; the member's open browser is refused ---------------
    log_in(page, server, "admin", "admin-demo")
    page.goto(f"{server}/admin/users?q=chenxd")
    page.get_by_role("link", name="chenxd").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="停用", exact=True).click()
    page.wait_for_load_state()
    assert "账号已停用" in _flash(page)
    page.screenshot(path=str(shots / "year-20-deactivated.png"), full_page=True)
    member.goto(f"{server}/my")
    assert "/login" in member.url
    assert member.get_by_label("用户名").is_visible()
    member.screenshot(path=str(shots / "year-21-member-refused.png"), full_page=True)
    member_context.close()
    admin_context.close()
