"""Accounts on the web: sign-in by mail link, the account page (sessions, API tokens,
subscription) and sign-out.

    POST /api/auth/login  POST /login     202, the same answer for any address; a worker
                                          mails the link
    GET  /login?next=/papers/…            the page to come back to (kept in a cookie while
                                          the mail travels; same-site paths only)
    GET  /auth/signin?token=…             "Sign in as …?" — a page, so that a mail scanner
                                          that follows links does not use the one-time link
    POST /auth/signin                     uses the link: a session cookie, then onboarding
                                          for a new account, else the page the reader came
                                          from (or /account); a used or expired link says
                                          so and offers a new one
    POST /logout  POST /account/sign-out-everywhere
    GET  /account  POST /account/tokens  POST /account/tokens/{id}/revoke
    POST /account/subscribe               digests start at once: the address is proven
    POST /account/address                 a link to the new address; following it
    GET|POST /account/address/confirm     changes the address (and kills every older link)
    GET  /api/me                          who the session or API token belongs to
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from papertide.catalog import utcnow
from papertide.readers import InvalidInput, Reader, TokenError, normalize_email
from papertide.readers._accounts import SESSION_IDLE
from papertide.web._deps import render, services
from papertide.web._identity import SESSION_COOKIE, current_session, require_reader, signed_in
from papertide.web._next import safe_next

router = APIRouter()
pages = APIRouter(include_in_schema=False)
SIGN_IN_SENT = ("If that address can receive mail, a sign-in link is on its way. "
                "It works once, within 15 minutes.")
NEXT_COOKIE = "pt_next"  # where to go back to once the mailed link is followed
NEXT_KEPT = timedelta(hours=1)
NEW_ACCOUNT = timedelta(minutes=2)  # an account the link itself created just now


class LoginIn(BaseModel):
    email: str = Field(..., max_length=320)


class AcceptedOut(BaseModel):
    status: str
    message: str


class MeOut(BaseModel):
    email: str
    status: str
    role: str


def _request_sign_in(request: Request, email: str) -> None:
    """Queued as it is: the worker validates the address, so that the answer is the same
    for every address, known, new or invalid."""
    request.app.state.jobs.sign_in_mail(email)


@router.post("/api/auth/login", status_code=202, tags=["accounts"])
def api_login(request: Request, body: LoginIn) -> AcceptedOut:
    """Mail a sign-in link (it creates the account for a new address). The answer is the
    same whether or not the address has an account."""
    _request_sign_in(request, body.email)
    return AcceptedOut(status="accepted", message=SIGN_IN_SENT)


@router.get("/api/me", tags=["accounts"])
def me(request: Request) -> MeOut:
    """The signed-in reader (session cookie or `Authorization: Bearer` API token)."""
    reader = require_reader(request, "see your account")
    role = "admin" if services(request).readers.accounts.is_admin(reader) else reader.role
    return MeOut(email=reader.email, status=reader.status, role=role)


@pages.get("/login")
def login_page(request: Request, next: str = "", email: str = "") -> Response:
    back = safe_next(next)
    reader = signed_in(request)
    if reader is not None and back:  # already signed in: straight back
        return RedirectResponse(back, status_code=303)
    return render(request, "login.html", reader=reader, next=back or "", email=email[:320])


@pages.post("/login")
def login_form(request: Request, email: str = Form(..., max_length=320),
               next: str = Form("", max_length=1000)) -> Response:
    _request_sign_in(request, email)
    response = render(request, "notice.html", status_code=202, title="Check your inbox",
                      message=SIGN_IN_SENT)
    back = safe_next(next)
    if back:
        response.set_cookie(NEXT_COOKIE, back, max_age=int(NEXT_KEPT.total_seconds()),
                            httponly=True, samesite="lax", path="/",
                            secure=services(request).settings.base_url.startswith("https://"))
    return response


@pages.get("/auth/signin")
def sign_in_page(request: Request, token: str = "") -> Response:
    try:
        email = services(request).readers.accounts.check_sign_in(token)
    except TokenError as exc:
        return _bad_link(request, exc, token)
    return render(request, "signin.html", email=email, token=token)


@pages.post("/auth/signin")
def sign_in(request: Request, token: str = Form("", max_length=4000)) -> Response:
    accounts = services(request).readers.accounts
    try:
        reader, cookie = accounts.redeem(token, request.headers.get("user-agent", ""))
    except TokenError as exc:
        return _bad_link(request, exc, token)
    old = current_session(request)
    if old is not None:  # one browser, one session: the previous one ends here
        accounts.sign_out(old.id)
    back = safe_next(request.cookies.get(NEXT_COOKIE))
    if _is_new(reader):
        target = "/onboarding" + (f"?next={quote(back, safe='/')}" if back else "")
    else:
        target = back or "/account"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(NEXT_COOKIE, path="/")
    settings = services(request).settings
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(SESSION_IDLE.total_seconds()),
                        httponly=True, samesite="lax", path="/",
                        secure=settings.base_url.startswith("https://"))
    return response


def _is_new(reader: Reader) -> bool:
    """Did following this link create the account? (It is made when the link is used,
    as an account without a digest; a subscriber already chose what to read.)"""
    created = reader.created_at
    return (reader.status == "account" and created is not None
            and utcnow() - created < NEW_ACCOUNT)


def _bad_link(request: Request, exc: TokenError, token: str = "") -> Response:
    """A link that cannot be used, said plainly, with a form for a new one (the address
    filled in when the link still tells it)."""
    message = str(exc)
    if exc.expired:
        title = "This link has expired"
    elif "already used" in message:
        title = "This link was already used"
    elif "no longer valid" in message:
        title = "This link no longer works"
    else:
        title = "This link does not work"
    email = ""
    if token:
        with suppress(TokenError):  # a forged or expired link tells nothing
            email = str(services(request).readers.tokens.read("signin", token).extra.get("e", ""))
    return render(request, "link_problem.html", status_code=410 if exc.expired else 400,
                  title=title, message=message, email=email)


def _signed_out(to: str = "/") -> Response:
    response = RedirectResponse(to, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@pages.post("/logout")
def logout(request: Request) -> Response:
    session = current_session(request)
    if session is not None:
        services(request).readers.accounts.sign_out(session.id)
    return _signed_out()


@pages.post("/account/sign-out-everywhere")
def sign_out_everywhere(request: Request) -> Response:
    reader = require_reader(request, "sign out")
    services(request).readers.accounts.sign_out_everywhere(reader.id)
    return _signed_out()


@pages.get("/account")
def account(request: Request) -> Response:
    if signed_in(request) is None:
        return RedirectResponse("/login", status_code=303)
    return _account_page(request)


def _account_page(request: Request, new_token: str | None = None,
                  notice: str | None = None, status_code: int = 200) -> Response:
    svc = services(request)
    reader = require_reader(request, "see your account")
    session = current_session(request)
    return render(request, "account.html", status_code=status_code, reader=reader,
                  new_token=new_token, notice=notice,
                  sessions=svc.readers.accounts.sessions_of(reader.id),
                  this_session=session.id if session else None,
                  tokens=svc.readers.accounts.api_tokens_of(reader.id),
                  manage=svc.readers.links(reader)["manage"],
                  admin=svc.readers.accounts.is_admin(reader))


@pages.post("/account/tokens")
def create_token(request: Request, name: str = Form("", max_length=100)) -> Response:
    reader = require_reader(request, "create API tokens")
    token = services(request).readers.accounts.create_api_token(reader.id, name)
    return _account_page(request, new_token=token)


@pages.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int) -> Response:
    reader = require_reader(request, "revoke API tokens")
    services(request).readers.accounts.revoke_api_token(reader.id, token_id)
    return RedirectResponse("/account", status_code=303)


@pages.post("/account/subscribe")
def subscribe_signed_in(request: Request) -> Response:
    reader = require_reader(request, "subscribe")
    services(request).readers.subscribe_signed_in(reader)
    return RedirectResponse("/account", status_code=303)


@pages.post("/account/address")
def request_address_change(request: Request, email: str = Form(..., max_length=320)) -> Response:
    reader = require_reader(request, "change your address")
    try:
        address = normalize_email(email)
    except InvalidInput as exc:
        return _account_page(request, notice=str(exc), status_code=400)
    request.app.state.jobs.address_mail(reader.id, address)
    return _account_page(request, notice=f"A link is on its way to {address}: your address "
                                         "changes when it is followed.")


@pages.get("/account/address/confirm")
def address_page(request: Request, token: str = "") -> Response:
    readers = services(request).readers
    try:
        reader = readers.from_token("address", token)
        new = readers.tokens.read("address", token).extra.get("n")
    except TokenError as exc:
        return _bad_link(request, exc)
    return render(request, "address.html", old=reader.email, new=new, token=token)


@pages.post("/account/address/confirm")
def change_address(request: Request, token: str = Form("", max_length=4000)) -> Response:
    try:
        reader = services(request).readers.change_address(token)
    except TokenError as exc:
        return _bad_link(request, exc)
    except InvalidInput as exc:
        return render(request, "error.html", status_code=409, status=409, message=str(exc))
    return render(request, "notice.html", title="Your address is changed",
                  message=f"papertide writes to {reader.email} from now on; the links in "
                          "earlier mails no longer work.", link="/account",
                  link_text="Your account")
