"""Security headers on every response (pages, JSON, files, static files, redirects, error pages).

One after-request hook rather than a library: the policy is a handful of fixed strings (no inline
script or style anywhere, so no nonces), and flask-talisman would also redirect to HTTPS and set
cookie flags, which config.py and the reverse proxy already own.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from tracker.config import is_production

# Scripts and styles only from our own files: an injected <script> or style="" does nothing.
# SVG charts are inline markup (allowed); data: images are what browsers use for form controls.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Nothing here uses a camera, a microphone, the location, payments or USB.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "X-Content-Type-Options": "nosniff",
    # Other sites learn that a visitor came from here, never which proposal or search.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    seconds = int(current_app.config["HSTS_SECONDS"])
    # Only over HTTPS (a browser ignores it on http) or in production, which is served over HTTPS.
    if seconds > 0 and (request.is_secure or is_production(current_app.config)):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
