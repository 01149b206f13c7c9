"""The open-data API's docs (/api/docs) in a real browser: Swagger UI, served from our own files,
starts under the Content-Security-Policy with no violation, lists every operation of
/api/openapi.json, and "Try it out" calls the API and shows its JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_the_docs_run_under_the_policy_and_call_the_api(browser, server: str, shots: Path) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
    try:
        response = page.goto(f"{server}/api/docs")
        assert response is not None and response.status == 200
        page.locator(".opblock-summary-path", has_text="/api/v1/proposals/{proposal_id}/replies").wait_for()
        paths = set(page.locator(".opblock-summary-path").all_inner_texts())
        assert {p.replace("\u200b", "") for p in paths} >= {
            "/api/v1/sessions",
            "/api/v1/proposals",
            "/api/v1/proposals/{proposal_id}",
            "/api/v1/agencies",
            "/api/v1/statistics",
        }
        page.screenshot(path=str(shots / "api-docs.png"), full_page=False)
        # open GET /api/v1/sessions, try it out, execute: the answer is shown
        page.locator(".opblock-summary-path", has_text="/api/v1/sessions").first.click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        page.locator(".response .response-col_status", has_text="200").first.wait_for()
        assert "proposal_count" in page.locator(".responses-wrapper").inner_text()
        page.screenshot(path=str(shots / "api-docs-tried.png"), full_page=False)
        assert page.evaluate("window.__csp") == []
        assert [p for p in problems if "Content Security Policy" in p] == []
        assert outside == []  # no CDN, no validator badge: everything from this server
    finally:
        context.close()
