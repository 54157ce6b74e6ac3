"""A confirmation link opens a page with a button; only pressing it (a POST) confirms. A
mail scanner that follows every link in a mail confirms nothing, a subscription request
for a confirmed address never changes its topics, and topics a stranger typed never reach
an inbox that has not agreed to them."""

import re

from tests.helpers import add_reader

SPAM = "Cheap pills at evil.example"


def _services(client):
    return client.app.state.services


def _confirm_link(mail):
    return re.search(r"http://testserver(/confirm\?token=\S+)",
                     mail.get_body(("plain",)).get_content()).group(1)


def test_opening_a_confirmation_link_confirms_nothing_until_the_button(client, smtp_server):
    client.post("/api/subscribe", json={"email": "new@example.org", "topics": [{"query": SPAM}]})
    (mail,) = smtp_server.recorder.to("new@example.org")
    assert SPAM not in mail.as_string()  # the address has agreed to nothing yet
    link = _confirm_link(mail)
    for _ in range(3):  # a scanner, a preview, the reader's first look
        page = client.get(link)
        assert page.status_code == 200 and "Confirm subscription" in page.text
        assert SPAM in page.text  # shown on the page, where the owner decides
    reader = _services(client).readers.store.by_email("new@example.org")
    assert reader.status == "pending" and reader.topics == []
    done = client.post("/confirm", data={"token": link.split("token=")[1]})
    assert done.status_code == 200 and "You are subscribed" in done.text
    reader = _services(client).readers.store.by_email("new@example.org")
    assert reader.status == "active" and [t.query for t in reader.topics] == [SPAM]


def test_a_request_for_a_confirmed_address_only_mails_a_manage_link(client, smtp_server):
    reader = add_reader(_services(client), "ada@example.org", "model merging")
    client.post("/api/subscribe", json={"email": "ada@example.org", "topics": [{"query": SPAM}]})
    (mail,) = smtp_server.recorder.to("ada@example.org")
    assert SPAM not in mail.as_string() and "/confirm?" not in mail.as_string()
    assert "/preferences?token=" in mail.get_body(("plain",)).get_content()
    assert [t.query for t in _services(client).readers.store.get(reader.id).topics] == [
        "model merging"]
