"""Drive a real server: gunicorn with two workers on 127.0.0.1, loaded by wrk for a fixed time.

Only loopback is used, the request loop is wrk's and bounded by ``seconds``, and the server is
stopped afterwards whatever happens.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

REPO_ROOT = Path(__file__).resolve().parents[2]

_LUA = """
local paths = {%s}
local cookie = %s
local i = 0
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d,'
    .. '"p50_us":%%d,"p99_us":%%d,"mean_us":%%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within a minute")


def encode_path(path: str) -> str:
    return quote(path, safe="/?=&#%:")


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def log_in(base: str, username: str, password: str) -> str:
    """Log in through the login form as a browser would; the Cookie header of that login."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login", timeout=30) as r:
        found = _CSRF.search(r.read().decode("utf-8"))
    if found is None:
        raise RuntimeError("the login page has no CSRF token")
    form = urlencode({"csrf_token": found.group(1), "username": username, "password": password})
    with opener.open(base + "/login", data=form.encode(), timeout=30) as r:
        if "/login" in r.geturl():
            raise RuntimeError(f"logging in as {username} failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def run_load(
    *,
    env: Mapping[str, str],
    paths: Sequence[str],
    seconds: int = 30,
    connections: int = 16,
    workers: int = 2,
    account: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Requests/s, p50/p99 latency and errors for a mix of ``paths`` (relative URLs), anonymous
    or, with ``account`` (username, password), as that user logged in (no page cache then)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk); `make test` installs it")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning", "tracker:create_app()",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log, tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(cmd, cwd=REPO_ROOT, env=dict(env), stdout=subprocess.DEVNULL, stderr=log)
        try:
            try:
                _wait_ready(base + "/", server)
            except RuntimeError as exc:
                log.seek(0)
                raise RuntimeError(f"{exc}: {log.read().decode(errors='replace')[-500:]}") from None
            cookie = log_in(base, *account) if account else ""
            for p in paths[:20]:  # warm every worker's caches a little, as a running app would be
                warm = urllib.request.Request(
                    base + encode_path(p), headers={"Cookie": cookie} if cookie else {}
                )
                with urllib.request.urlopen(warm, timeout=30) as r:
                    r.read()
            script = Path(tmp) / "mix.lua"
            listed = ", ".join(json.dumps(encode_path(p)) for p in paths)
            script.write_text(_LUA % (listed, json.dumps(cookie)), encoding="utf-8")
            out = subprocess.run(
                [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base],
                capture_output=True, text=True, timeout=seconds + 60, check=True,
            )  # fmt: skip
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRKJSON "))
    r = json.loads(line.removeprefix("WRKJSON "))
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return {
        "signed_in_as": account[0] if account else None,
        "seconds": seconds,
        "connections": connections,
        "workers": workers,
        "requests": r["requests"],
        "requests_per_s": round(r["requests"] / (r["duration_us"] / 1e6), 1),
        "p50_ms": round(r["p50_us"] / 1000, 2),
        "p99_ms": round(r["p99_us"] / 1000, 2),
        "mean_ms": round(r["mean_us"] / 1000, 2),
        "errors": errors,
        "non_2xx_3xx": r["status"],
    }
