"""The digest's "For you" section, on the demo corpus with real embeddings and a real SMTP
server: recommendations with their reasons from the reader's library, never a dismissed,
saved or already sent paper, and the new papers of the authors a reader follows."""

from datetime import datetime, timedelta

import pytest

from papertide.catalog import Paper, utcnow
from papertide.db.tables import papers
from papertide.digest import Retry
from papertide.services import open_services
from tests.helpers import add_reader, mail_settings

NOW = datetime(2026, 11, 24, 12, 0)  # a Tuesday, after Monday evening's announcement
THREE_RL = ["t7a332be1523cefc", "t736d151fb9e3775", "t665dc95b032e129"]


@pytest.fixture
def mail_semantic(settings, smtp_server, semantic_snapshot):
    services = semantic_snapshot.restore(open_services(
        mail_settings(settings, smtp_server, search_mode="hybrid")))
    with services.catalog.engine.begin() as conn:  # the catalog as it stood on a fixed day
        conn.execute(papers.update().values(first_seen=datetime(2026, 11, 20)))
    services.digests.retry = Retry(attempts=3, first_delay=0.01)
    return services, smtp_server


def _sections(msg):
    """Section title → the paper lines under it, from the plain-text part."""
    sections, current = {}, None
    for line in msg.get_body(("plain",)).get_content().splitlines():
        if line.startswith("== "):
            current = sections.setdefault(line.strip("= "), [])
        elif current is not None and line.startswith(("* ", "  (")):
            current.append(line)
    return sections


def test_for_you_comes_from_the_library_with_reasons_and_never_repeats(mail_semantic):
    services, smtp = mail_semantic
    ada = add_reader(services, "ada@example.org", per_digest=10)
    for pid in THREE_RL:
        services.library.save(ada.id, pid)
    top = services.library.for_you(ada.id, limit=3).items
    services.library.dismiss(ada.id, top[0].paper.id)  # "not interested" in the best one
    assert services.digests.run(NOW, everyone=True) == {"sent": 1}
    (first,) = smtp.recorder.messages
    sections = _sections(first)
    assert list(sections) == ["For you", "Trending"]
    mine = [line for line in sections["For you"] if line.startswith("* ")]
    reasons = [line for line in sections["For you"] if line.startswith("  (")]
    assert len(mine) == 5 and len(reasons) == 5
    assert all("close to" in r and "in your library" in r for r in reasons)
    html = first.get_body(("html",)).get_content()
    assert 'class="reason"' in html and "in your library" in html
    assert html.count(">Not interested</a>") == 5
    sent = services.digests.log.sent_to(ada.id)
    assert top[0].paper.id not in sent and not sent & set(THREE_RL)
    assert top[1].paper.id in sent
    # The next edition: new recommendations, none of the papers already sent.
    assert services.digests.run(NOW + timedelta(days=1), everyone=True) == {"sent": 1}
    again = smtp.recorder.messages[1]
    again_sent = services.digests.log.sent_to(ada.id) - sent
    assert len(again_sent) == 10 and not again_sent & sent
    assert top[0].paper.id not in again_sent and "For you" in _sections(again)


def test_following_an_author_puts_their_new_papers_in_the_digest(mail_semantic):
    services, smtp = mail_semantic
    ada = add_reader(services, "ada@example.org", per_digest=9)
    services.library.follow(ada.id, "author", "Grace Hopper")
    new = services.catalog.upsert([Paper(
        title="Compiling Subroutines for Automatic Computers",
        abstract="A new paper by an author the reader follows.", authors=["Grace Hopper"],
        arxiv_id="2611.01234", categories=["cs.PL"])])
    services.search.catch_up(embed=True)
    now = utcnow() + timedelta(minutes=1)
    assert services.digests.run(now, everyone=True) == {"sent": 1}
    sections = _sections(smtp.recorder.messages[0])
    assert list(sections) == ["For you", "Trending"]
    assert sections["For you"][:2] == ["* Compiling Subroutines for Automatic Computers",
                                       "  (new from Grace Hopper, whom you follow)"]
    assert new.ids[0] in services.digests.log.sent_to(ada.id)


def test_not_interested_from_the_mail(mail_semantic):
    import re

    from fastapi.testclient import TestClient

    from papertide.web import create_app

    services, smtp = mail_semantic
    ada = add_reader(services, "ada@example.org", per_digest=6)
    for pid in THREE_RL:
        services.library.save(ada.id, pid)
    services.digests.run(NOW, everyone=True)
    text = smtp.recorder.messages[0].get_body(("plain",)).get_content()
    links = re.findall(r"Not interested: (https://papers\.example\.org/not-interested\?token=\S+)",
                       text)
    assert len(links) == 3
    path = links[0].removeprefix("https://papers.example.org")
    with TestClient(create_app(services.settings)) as browser:  # no session: the link is enough
        page = browser.get(path)
        assert page.status_code == 200 and "Not interested?" in page.text
        assert services.library.dismissed(ada.id) == []  # opening the link changes nothing
        token = path.split("token=")[1]
        done = browser.post("/not-interested", data={"token": token})
        assert done.status_code == 200 and "will not be recommended to you again" in done.text
        (paper, _), = services.library.dismissed(ada.id)
        assert paper.title in done.text
        assert browser.get(path[:-3]).status_code == 400  # cut short
        assert browser.post("/not-interested", data={"token": "forged"}).status_code == 400
