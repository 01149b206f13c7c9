"""The Content-Security-Policy in a real browser (issue 11, item 3): every role's pages load in
chromium with the policy on and report no violation (neither a console message nor a
``securitypolicyviolation`` event), the parts driven by our scripts still work (similar proposals
fetched by static/js/similar.js, related clauses by static/js/clauses.js), and an injected inline handler is blocked (so the check can fail).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "proposal.txt"
# Recorded before any page script runs; Playwright's init scripts are not subject to the policy.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watch:
    """One browser context whose console and policy violations are kept, page by page."""

    def __init__(self, browser, server: str, shots: Path, role: str) -> None:
        self.server, self.shots, self.role = server, shots, role
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        self.visited: list[str] = []

    def violations(self) -> list[str]:
        found = list(self.page.evaluate("window.__csp || []"))
        found += [m for m in self.console if "Content Security Policy" in m or "Content-Security-Policy" in m]
        return found

    def open(self, path: str) -> None:
        response = self.page.goto(f"{self.server}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("networkidle")
        self.check(path)

    def check(self, where: str) -> None:
        assert self.violations() == [], (self.role, where, self.violations())
        self.visited.append(where)
        name = f"csp-{self.role}-{len(self.visited):02d}.png"
        self.page.screenshot(path=str(self.shots / name), full_page=True)

    def close(self) -> None:
        self.context.close()


def _pages_of_the_public(watch: Watch) -> None:
    for path in (
        "/",
        "/proposals",
        "/proposals/1",
        "/replies/1",
        "/library",
        "/library/zhejiang-small-micro-enterprises-opinions",
        "/search?q=%E5%9F%B9%E8%AE%AD",
        "/statistics",
        "/login",
    ):
        watch.open(path)


def test_every_role_sees_its_pages_with_no_policy_violation(
    server: str, browser, shots: Path, log_in, assigned_case
) -> None:
    case = assigned_case.proposal_id

    public = Watch(browser, server, shots, "public")
    _pages_of_the_public(public)
    public.close()

    member = Watch(browser, server, shots, "member")
    log_in(member.page, server, "member", "member-demo")
    member.check("after login")
    for path in ("/my", f"/proposals/{case}", "/proposals/1", "/replies/1", "/statistics"):
        member.open(path)
    member.open("/my/proposals/new")
    member.page.get_by_label("标题").fill("关于内容安全策略的测试提案")
    member.page.get_by_label("粘贴提案全文").fill(SEED.read_text(encoding="utf-8"))
    member.page.get_by_role("button", name="拆分为建议").click()  # the preview
    member.page.wait_for_load_state("networkidle")
    assert member.page.locator(".suggestion-row textarea").count() == 5
    member.check("drafts form preview")
    member.close()

    agency = Watch(browser, server, shots, "agency")
    log_in(agency.page, server, "agency", "agency-demo")
    for path in (
        "/inbox",
        f"/proposals/{case}",
        f"/proposals/{case}/reply",
        f"/proposals/{case}/reply?mode=pasted",
    ):
        agency.open(path)
    agency.close()

    staff = Watch(browser, server, shots, "staff")
    log_in(staff.page, server, "staff", "staff-demo")
    for path in (
        "/review",
        "/review?status=assigned",
        f"/review/{case}",
        "/review/1",
        "/review/overdue",
        "/library",
    ):
        staff.open(path)
    # The similar proposals are fetched by static/js/similar.js: the new case is like the seed one.
    staff.open("/proposals/1")
    similar = staff.page.locator(".similar-slot .similar-list a")
    similar.first.wait_for()
    assert "（新提交）" in staff.page.locator(".similar-slot").inner_text()
    staff.check("similar proposals loaded")
    # Each suggestion's related policy clauses are fetched by static/js/clauses.js and put under it.
    clauses = staff.page.locator(".pair .clauses-slot details.related-clauses")
    clauses.first.wait_for()
    assert "/library/" in clauses.first.locator("a").first.get_attribute("href")
    staff.check("related clauses loaded")
    staff.open("/search?q=%E5%9F%B9%E8%AE%AD")
    staff.open("/statistics")
    staff.close()

    admin = Watch(browser, server, shots, "admin")
    log_in(admin.page, server, "admin", "admin-demo")
    admin.open("/review")
    admin.open(f"/review/{case}")
    admin.close()


def test_an_injected_inline_handler_is_blocked_and_reported(server: str, browser, shots: Path) -> None:
    """The check above could pass by seeing nothing: here the policy must block and report."""
    watch = Watch(browser, server, shots, "probe")
    watch.open("/")
    watch.page.evaluate(
        """document.body.insertAdjacentHTML("beforeend",
             '<img src="data:," onload="window.__ran = 1" alt="">'
             + '<p style="color: red">x</p>');
           const s = document.createElement("script"); s.textContent = "window.__ran2 = 1";
           document.body.append(s);"""
    )
    watch.page.wait_for_timeout(300)
    assert watch.page.evaluate("window.__ran") is None and watch.page.evaluate("window.__ran2") is None
    reported = watch.violations()
    assert any(v.startswith("script-src") for v in reported), reported
    assert any(v.startswith("style-src") for v in reported), reported
    watch.close()
