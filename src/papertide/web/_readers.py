"""Reader pages and API: subscribe, confirm, preferences, one-click unsubscribe, digest
preview, and the outbox (the embedded setup's mail folder, for admins only).

Subscribing answers 202 at once and leaves the rest to the job queue (see
`digest/_requests.py`): the answer and its timing are the same whether or not the
address is subscribed, and nothing about an existing reader changes until a link in the
mail is clicked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from functools import lru_cache

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from papertide.options import FREQUENCIES
from papertide.readers import (
    InvalidInput,
    Reader,
    TokenError,
    Topic,
    make_topic,
    normalize_email,
    time_zones,
)
from papertide.web._deps import is_whole_number, render, services
from papertide.web._errors import error_responses
from papertide.web._identity import require_admin

router = APIRouter()
pages = APIRouter(include_in_schema=False)
SUBSCRIBED = ("If that address can receive mail, a confirmation link is on its way. "
              "Nothing is sent until you click it.")


@contextmanager
def _token_page() -> Iterator[None]:
    """A bad link is a clear page: 410 when it expired, 400 when forged, altered or cut."""
    try:
        yield
    except TokenError as exc:
        raise HTTPException(410 if exc.expired else 400, str(exc)) from None


def _reader(request: Request, purpose: str, token: str) -> Reader:
    with _token_page():
        return services(request).readers.from_token(purpose, token)


def _subscribe(request: Request, email: str, topics: list[Topic | None]) -> None:
    try:
        address = normalize_email(email)
    except InvalidInput as exc:
        raise HTTPException(400, str(exc)) from None
    request.app.state.jobs.subscribe_mail(address, [t for t in topics if t])


class TopicIn(BaseModel):
    query: str = Field("", max_length=200)
    category: str | None = Field(None, max_length=40)
    author: str | None = Field(None, max_length=100)


class SubscribeIn(BaseModel):
    # An address as RFC 6531 writes them (3 to 254 characters, internationalised ones too:
    # they are sent with SMTPUTF8): what the schema promises is what the server accepts.
    email: str = Field(..., min_length=3, max_length=254, json_schema_extra={"format": "idn-email"},
                       description="An email address. Domains that can never receive mail "
                       "(.local, .localhost, .invalid, .onion, .arpa) are refused with a 400.")
    topics: list[TopicIn] = Field(default_factory=list, max_length=10)


@router.post("/api/subscribe", status_code=202, tags=["readers"],
             responses=error_responses(400, 413, 422))
def api_subscribe(request: Request, body: SubscribeIn) -> dict[str, str]:
    """Subscribe an address (double opt-in). The answer is the same whether or not the
    address was already subscribed."""
    _subscribe(
        request, body.email, [make_topic(t.query, t.category, t.author) for t in body.topics]
    )
    return {"status": "accepted", "message": SUBSCRIBED}


@pages.post("/subscribe")
def subscribe_form(request: Request, email: str = Form(..., max_length=320),
                   topic: str = Form("", max_length=200)) -> Response:
    _subscribe(request, email, [make_topic(topic)])
    return render(request, "notice.html", title="Check your inbox", message=SUBSCRIBED)


@pages.get("/confirm")
def confirm_page(request: Request, token: str = "") -> Response:
    """A page with a button: a mail scanner that opens the link confirms nothing."""
    with _token_page():
        reader, topics = services(request).readers.confirmation(token)
    return render(request, "confirm.html", email=reader.email, topics=topics, token=token,
                  active=reader.status == "active")


@pages.post("/confirm")
def confirm(request: Request, token: str = Form("", max_length=4000)) -> Response:
    with _token_page():
        reader = services(request).readers.confirm(token)
    manage = services(request).readers.links(reader)["manage"]
    return render(
        request,
        "notice.html",
        title="You are subscribed",
        message=f"Digests will go to {reader.email}.",
        link=manage,
        link_text="Choose topics and schedule",
    )


@pages.get("/preferences")
def preferences(request: Request, token: str = "", saved: bool = False) -> Response:
    return _preferences_page(request, _reader(request, "manage", token), token, saved=saved)


def _preferences_page(request: Request, reader: Reader, token: str, saved: bool = False,
                      error: str | None = None) -> Response:
    return render(request, "preferences.html", status_code=400 if error else 200, reader=reader,
                   token=token, saved=saved, frequencies=FREQUENCIES, zones=_zones(), error=error)


def _whole_number(value: object) -> int:
    """A form number in ASCII digits (`int` would take `١` or `５`)."""
    if not isinstance(value, str) or not is_whole_number(value):
        raise ValueError(value)
    return int(value)


@lru_cache(maxsize=1)
def _zones() -> list[str]:
    return sorted(time_zones())


@pages.post("/preferences")
async def save_preferences(request: Request) -> Response:
    form = await request.form()
    # The form is read on the event loop; the database work goes to a thread, so that the
    # loop keeps serving everyone else meanwhile.
    return await run_in_threadpool(_save_preferences, request, form)


def _save_preferences(request: Request, form: FormData) -> Response:
    token = str(form.get("token", ""))
    reader = _reader(request, "manage", token)
    fields = [[str(v) for v in form.getlist(name)]
              for name in ("topic_query", "topic_category", "topic_author")]
    topics = [make_topic(q, c, a) for q, c, a in zip(*fields, strict=False)]
    try:
        numbers = {name: _whole_number(form.get(name)) for name in ("weekday", "send_hour",
                                                                      "per_digest")}
        reader = services(request).readers.update_preferences(
            reader,
            frequency=str(form.get("frequency", "")),
            timezone=str(form.get("timezone", "")),
            topics=[t for t in topics if t],
            **numbers,
        )
    except (InvalidInput, ValueError) as exc:
        message = (
            str(exc)
            if isinstance(exc, InvalidInput)
            else "Numbers only for weekday, hour and papers per digest."
        )
        return _preferences_page(request, reader, token, error=message)
    return _preferences_page(request, reader, token, saved=True)


@pages.get("/unsubscribe")
def unsubscribe_page(request: Request, token: str = "") -> Response:
    reader = _reader(request, "unsubscribe", token)
    return render(
        request,
        "unsubscribe.html",
        reader=reader,
        token=token,
        done=reader.status == "unsubscribed",
    )


@pages.post("/unsubscribe")
def unsubscribe(request: Request, token: str = "") -> Response:
    """Both the page's button and RFC 8058 one-click (List-Unsubscribe-Post) land here."""
    reader = _reader(request, "unsubscribe", token)
    one_click = request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    )
    services(request).readers.unsubscribe(reader, "one-click" if one_click else "page")
    return render(request, "unsubscribe.html", reader=reader, token=token, done=True)


@pages.get("/digest/preview")
def digest_preview(request: Request, token: str = "") -> Response:
    reader = _reader(request, "manage", token)
    _, msg = services(request).digests.preview(reader)
    if msg is None:
        return render(
            request,
            "notice.html",
            title="Nothing new yet",
            message="Your next digest would have no new papers, so it would not be sent.",
        )
    html = msg.get_body(("html",))
    return HTMLResponse(html.get_content() if html is not None else "")


@pages.get("/outbox")
def outbox(request: Request) -> Response:
    require_admin(request)
    settings = services(request).settings
    if settings.smtp_url:
        raise HTTPException(404, "mail goes to the SMTP relay, not to an outbox")
    folder = settings.outbox_dir
    files = (
        sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
        if folder.exists()
        else []
    )
    mails = []
    for path in files[:200]:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes(), headersonly=True)
        mails.append(
            {"name": path.name, "to": msg["To"], "subject": msg["Subject"], "date": msg["Date"]}
        )
    return render(request, "outbox.html", mails=mails)


@pages.get("/outbox/{name}")
def outbox_mail(request: Request, name: str) -> Response:
    require_admin(request)
    settings = services(request).settings
    path = settings.outbox_dir / name
    if settings.smtp_url or "/" in name or not name.endswith(".eml") or not path.is_file():
        raise HTTPException(404, "no such mail")
    msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    html = msg.get_body(("html",))
    text = msg.get_body(("plain",))
    return render(request, "outbox_mail.html", msg=msg, html=html.get_content() if html else None,
                   text=text.get_content() if text else "", headers=list(msg.items()))

