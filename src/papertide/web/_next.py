"""Where a reader goes back to after signing in: `/login?next=/papers/…` carries the page
they were on; only a path of this site is ever followed (no open redirect).

    safe_next("/papers/x?y=1")     # "/papers/x?y=1"
    safe_next("//evil.example")    # None — and so are "https://…", "/\\evil", "javascript:"
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request

MAX_NEXT = 1000
# Pages that make no sense to come back to once signed in.
_NOT_BACK = ("/login", "/auth/", "/logout")


def safe_next(value: str | None) -> str | None:
    """`value` if it is a path on this site that is worth returning to, else None."""
    if not value or len(value) > MAX_NEXT or not value.startswith("/"):
        return None
    if value.startswith(("//", "/\\")) or not value.isascii() or any(
            c in value for c in '\\"<>`') or any(not c.isprintable() or c.isspace() for c in value):
        return None  # a backslash turns into a slash in browsers; the rest breaks a cookie
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(_NOT_BACK):
        return None
    return value


def login_url(request: Request) -> str:
    """The sign-in page, with the page this request shows as where to come back to."""
    path = quote(request.url.path, safe="/:@!$&'()*+,;=-._~")  # as it came, %-encoded
    here = path + (f"?{request.url.query}" if request.url.query else "")
    back = safe_next(here)
    return "/login" + (f"?next={quote(back, safe='/')}" if back else "")
