"""The library through the web: the API for a session (CSRF token required, 403 without
and nothing changes) and for an API token, the save button that htmx swaps, tags and
note on the paper page, "not interested", the library page and its exports, and the way
a new reader starts from /for-you."""

import re

import bibtexparser

from tests.helpers import sign_in

PAPER = "t6585e84c9ec5f39"  # the demo's first paper
OTHER = "tcdbcd95c9c96c0a"  # "Sample-Efficient Alignment for LLMs"


def _services(client):
    return client.app.state.services


def test_saving_tagging_and_dismissing_through_the_api_needs_the_csrf_token(client):
    csrf = sign_in(client, _services(client), "ada@example.org")
    # Without the session's token: refused, and nothing saved.
    refused = client.post("/api/me/library", json={"id": PAPER})
    assert refused.status_code == 403 and refused.json()["status"] == 403
    assert client.patch(f"/api/me/library/{PAPER}", json={"tags": ["x"]}).status_code == 403
    assert client.post("/api/me/dismissals", json={"id": OTHER}).status_code == 403
    assert client.get("/api/me/library").json()["total"] == 0
    headers = {"X-CSRF-Token": csrf}
    saved = client.post("/api/me/library", json={"id": PAPER, "tags": ["RL"], "note": "read"},
                        headers=headers)
    assert saved.status_code == 200
    body = saved.json()
    assert (body["paper"]["id"], body["paper"]["saves"], body["tags"], body["note"]) == (
        PAPER, 1, ["rl"], "read")
    edited = client.patch(f"/api/me/library/{PAPER}", json={"tags": ["rl", "theory"]},
                          headers=headers).json()
    assert edited["tags"] == ["rl", "theory"] and edited["note"] == "read"
    assert client.get("/api/me/tags").json() == [{"tag": "rl", "count": 1},
                                                 {"tag": "theory", "count": 1}]
    listed = client.get("/api/me/library", params={"tag": "theory"}).json()
    assert [i["paper"]["id"] for i in listed["items"]] == [PAPER]
    assert client.post("/api/me/dismissals", json={"id": OTHER},
                       headers=headers).json()["dismissed"] is True
    assert [d["id"] for d in client.get("/api/me/dismissals").json()] == [OTHER]
    follow = client.post("/api/me/follows", json={"kind": "category", "value": "cs.XY"},
                         headers=headers)
    assert follow.status_code == 422 and "not an arXiv category" in follow.json()["error"]
    removed = client.delete(f"/api/me/library/{PAPER}", headers=headers).json()
    assert removed == {"id": PAPER, "saved": False, "saves": 0}
    assert client.get(f"/api/me/library/{PAPER}").status_code == 404
    assert client.post("/api/me/library", json={"id": "nope"}, headers=headers).status_code == 404


def test_an_api_token_needs_no_csrf_token_and_nobody_else_sees_a_library(client, make_client):
    services = _services(client)
    sign_in(client, services, "ada@example.org")
    reader = services.readers.store.by_email("ada@example.org")
    token = services.readers.accounts.create_api_token(reader.id, "script")
    script = make_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert script.post("/api/me/library", json={"id": PAPER}, headers=auth).status_code == 200
    assert script.post("/api/me/follows", json={"kind": "author", "value": "Ada Lovelace"},
                       headers=auth).json() == {"kind": "author", "value": "Ada Lovelace",
                                                "following": True}
    assert [i["paper"]["id"] for i in client.get("/api/me/library").json()["items"]] == [PAPER]
    for pid in (OTHER, "taf85b73893803c6"):
        script.post("/api/me/library", json={"id": pid}, headers=auth)
    first = script.get("/api/me/library", params={"limit": 2}, headers=auth).json()
    second = script.get("/api/me/library", params={"limit": 2, "offset": 2},
                        headers=auth).json()
    assert (first["total"], first["has_more"], second["has_more"]) == (3, True, False)
    assert [i["paper"]["id"] for i in first["items"] + second["items"]] == [
        "taf85b73893803c6", OTHER, PAPER]
    stranger = make_client()
    assert stranger.get("/api/me/library").status_code == 401
    assert stranger.post("/api/me/library", json={"id": PAPER}).status_code == 401
    recs = client.get("/api/me/recommendations", params={"limit": 5}).json()
    assert "the 3 papers in your library" in recs["based_on"]
    assert all(item["id"] != PAPER for item in recs["items"])


def test_the_save_button_swaps_in_place_and_anonymous_readers_are_asked_to_sign_in(
        client, make_client):
    anonymous = make_client()
    home = anonymous.get("/").text
    assert "Sign in to save" in home and "★ <span class=\"n\">0</span>" in home
    csrf = sign_in(client, _services(client), "ada@example.org")
    assert 'hx-post="/papers/' + PAPER + '/save"' in client.get("/").text
    swapped = client.post(f"/papers/{PAPER}/save", headers={"HX-Request": "true",
                                                             "X-CSRF-Token": csrf})
    assert swapped.status_code == 200 and swapped.text.lstrip().startswith('<form class="save"')
    assert 'class="saved"' in swapped.text and "Saved" in swapped.text
    assert '<span class="n">1</span>' in swapped.text
    # On the paper page the counts line follows, out of band.
    page_swap = client.post(f"/papers/{PAPER}/save", data={"where": "page", "csrf_token": csrf},
                            headers={"HX-Request": "true"})
    assert 'id="counts" hx-swap-oob="true"' in page_swap.text and "★ 0 saves" in page_swap.text
    assert '<div id="library-box" hx-swap-oob="true"></div>' in page_swap.text
    saved_again = client.post(f"/papers/{PAPER}/save", data={"where": "page",
                                                              "csrf_token": csrf},
                              headers={"HX-Request": "true"})
    assert 'id="library-box" method="post"' in saved_again.text
    assert "★ 1 save" in saved_again.text and "Private note" in saved_again.text
    assert client.post(f"/papers/{PAPER}/save", headers={"HX-Request": "true"}).status_code == 403
    assert anonymous.post(f"/papers/{PAPER}/save").status_code == 401


def test_tags_and_note_on_the_paper_page_and_the_library_page(client):
    csrf = sign_in(client, _services(client), "ada@example.org")
    client.post(f"/papers/{PAPER}/save", data={"csrf_token": csrf})
    client.post(f"/papers/{OTHER}/save", data={"csrf_token": csrf})
    page = client.get(f"/papers/{PAPER}").text
    assert "In your library" in page and "Private note" in page
    answer = client.post(f"/papers/{PAPER}/library", data={
        "csrf_token": csrf, "tags": "RL, to read", "note": "<script>x</script> §3"},
        headers={"HX-Request": "true"})
    assert "Tags and note saved." in answer.text
    library = client.get("/library", params={"tag": "rl"}).text
    assert PAPER in library and OTHER not in library
    assert "&lt;script&gt;x&lt;/script&gt; §3" in library and "<script>x" not in library
    assert OTHER in client.get("/library", params={"sort": "published"}).text
    exported = client.get("/library/export", params={"format": "bibtex"})
    assert exported.headers["content-disposition"].endswith('.bib"')
    entries = bibtexparser.parse_string(exported.text).entries
    assert len(entries) == 2 and all(e.fields_dict["title"].value for e in entries)
    assert client.get("/library/export", params={"format": "doc"}).status_code == 400


def test_importing_a_file_from_the_library_page(client):
    csrf = sign_in(client, _services(client), "ada@example.org")
    bib = """@article{sample,
  title = {{Sample-Efficient} Multi-Agent {RL}: an optimization perspective},
  year = {2024}
}
@misc{nowhere, title = {A paper nobody wrote}}
"""
    answer = client.post("/library/import", data={"csrf_token": csrf, "tag": "Imported"},
                         files={"file": ("refs.bib", bib.encode(), "application/x-bibtex")})
    assert answer.status_code == 200
    assert "2 entries (bibtex): 1 matched" in answer.text and "A paper nobody wrote" in answer.text
    assert PAPER in client.get("/library", params={"tag": "imported"}).text
    refused = client.post("/library/import", files={"file": ("refs.bib", bib.encode())})
    assert refused.status_code == 403


def test_the_import_report_reads_math_in_titles(client):
    csrf = sign_in(client, _services(client), "ada@example.org")
    bib = """@misc{r3, title = {{video-SALMONN-R}{$^3$}: Learning to {ReWatch,} {ReAsk,} and
  {ReAnswer} for Efficient Long Video Understanding of Every Kind}}
@misc{phi, title = {{$\\varphi$}-Scene: Physically Grounded Scene Making}}
"""
    answer = client.post("/library/import", data={"csrf_token": csrf},
                         files={"file": ("refs.bib", bib.encode(), "application/x-bibtex")})
    report = answer.text.split("<h1>Import</h1>")[1]
    assert "r3: video-SALMONN-R³: Learning to ReWatch, ReAsk, and ReAnswer for Effici…" in report
    assert "phi: φ-Scene: Physically Grounded Scene Making" in report
    assert "$" not in report


def test_a_reader_has_a_budget_of_imports_an_hour(make_client):
    """Each import may queue hundreds of arXiv look-ups that every reader's fetches share."""
    client = make_client(limit_imports="2/hour")
    csrf = sign_in(client, _services(client), "ada@example.org")
    bib = "@misc{nowhere, title = {A paper nobody wrote}}\n"

    def upload():
        return client.post("/library/import", data={"csrf_token": csrf},
                           files={"file": ("refs.bib", bib.encode(), "application/x-bibtex")})

    assert [upload().status_code for _ in range(3)] == [200, 200, 429]
    other = make_client(limit_imports="2/hour", ip="127.0.0.9")
    other_csrf = sign_in(other, _services(other), "bob@example.org")
    answer = other.post("/library/import", data={"csrf_token": other_csrf},
                        files={"file": ("refs.bib", bib.encode(), "application/x-bibtex")})
    assert answer.status_code == 200  # another reader's budget is their own


def test_not_interested_and_the_way_in_for_a_new_reader(client):
    csrf = sign_in(client, _services(client), "ada@example.org")
    start = client.get("/for-you").text
    assert "you have none yet" in start and 'href="/onboarding"' in start
    onboarding = client.get("/onboarding", params={"q": "multi-agent reinforcement"}).text
    assert "Sample-Efficient Multi-Agent RL" in onboarding
    done = client.post("/onboarding", data={"csrf_token": csrf, "categories": ["cs.LG"],
                                            "authors": "Ada Lovelace, Alan Turing",
                                            "papers": ""}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/for-you"
    page = client.get("/for-you").text
    assert "Based on the categories you follow (cs.LG) and the authors you follow " \
           "(Ada Lovelace, Alan Turing)." in page
    bad = client.post("/onboarding", data={"csrf_token": csrf, "more_categories": "cs.XY",
                                           "papers": "not-an-id"}, follow_redirects=False)
    assert "notice=" in bad.headers["location"]
    gone = client.post(f"/papers/{OTHER}/dismiss", data={"csrf_token": csrf},
                       headers={"HX-Request": "true"})
    assert gone.text.startswith('<div class="dismissed" role="status">Not interested')
    assert "Undo" in gone.text
    ada = _services(client).readers.store.by_email("ada@example.org").id
    assert [p.id for p, _ in _services(client).library.dismissed(ada)] == [OTHER]
    # Undo puts the card back (htmx swaps it in) and the paper may be recommended again.
    back = client.post(f"/papers/{OTHER}/undismiss", data={"csrf_token": csrf},
                       headers={"HX-Request": "true"})
    assert back.status_code == 200 and '<article class="card">' in back.text
    assert "Not interested</button>" in back.text
    assert _services(client).library.dismissed(ada) == []


def test_for_you_shows_reasons_and_a_dismissed_paper_leaves_for_good(semantic):
    from fastapi.testclient import TestClient

    from papertide.web import create_app

    settings = semantic.settings.model_copy(update={"base_url": "http://testserver"})
    with TestClient(create_app(settings)) as client:
        services = _services(client)
        csrf = sign_in(client, services, "ada@example.org")
        ada = services.readers.store.by_email("ada@example.org")
        for pid in ("t7a332be1523cefc", "t736d151fb9e3775", "t665dc95b032e129"):  # RL papers
            services.library.save(ada.id, pid, tags=["rl"])
        page = client.get("/for-you").text
        assert "Based on the 3 papers in your library." in page
        assert page.count('class="reason">close to') >= 10
        assert page.count(">Not interested</button>") >= 10
        first = services.library.for_you(ada.id, limit=1).items[0].paper
        assert client.post(f"/papers/{first.id}/dismiss", data={"csrf_token": csrf},
                           follow_redirects=False).status_code == 303
        assert f'href="/papers/{first.id}"' not in client.get("/for-you").text
        api = client.get("/api/me/recommendations", params={"limit": 50}).json()
        assert first.id not in {item["id"] for item in api["items"]}
        assert api["items"][0]["reason"].startswith("close to")
        tagged = client.get("/for-you", params={"tag": "rl"}).text
        assert "For you: “rl”" in tagged and "Based on the 3 papers tagged “rl”" in tagged
        # A reason names its paper's title with the math drawn, as the cards do.
        from dataclasses import replace

        for pid in ("t7a332be1523cefc", "t736d151fb9e3775", "t665dc95b032e129"):
            paper = services.catalog.get(pid)
            services.catalog.upsert([replace(paper, title=paper.title + " in $O(n^2)$")])
        reasons = re.findall(r'<p class="reason">(.*?)</p>', client.get("/for-you").text)
        assert reasons and all("$" not in r for r in reasons)
        assert all("<math" in r for r in reasons if r.startswith("close to"))


def test_following_an_author_from_a_paper_page(client):
    from papertide.catalog import Paper

    services = _services(client)
    csrf = sign_in(client, services, "ada@example.org")
    services.catalog.upsert([Paper(title="Safe Vision-Language Models via Unsafe Weights "
                                   "Manipulation", arxiv_id="2503.11742",
                                   authors=["Moreno D'Incà", "Elia Peruzzo"],
                                   categories=["cs.CV", "cs.AI"])])
    page = client.get("/papers/2503.11742").text
    assert "Follow an author or category" in page and "+ Moreno D&#39;Incà" in page
    answer = client.post("/follows", data={"csrf_token": csrf, "kind": "author",
                                           "value": "Moreno D'Incà"},
                         headers={"Referer": "http://testserver/papers/2503.11742"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("/2503.11742")
    assert "✓ Moreno D&#39;Incà" in client.get("/papers/2503.11742").text
    assert client.get("/api/me/follows").json() == [
        {"kind": "author", "value": "Moreno D'Incà", "following": True}]
    client.post("/follows", data={"csrf_token": csrf, "kind": "author",
                                  "value": "Moreno D'Incà", "action": "unfollow"})
    assert client.get("/api/me/follows").json() == []
    assert client.post("/follows", data={"csrf_token": csrf, "kind": "category",
                                         "value": "cs.XY"}).status_code == 400
    assert client.post("/follows", data={"kind": "category", "value": "cs.LG"}).status_code \
        == 403


def test_unfollowing_a_value_with_a_line_break_is_a_declared_404(make_client):
    browser = make_client()
    services = _services(browser)
    sign_in(browser, services, "ada@example.org")
    reader = services.readers.store.by_email("ada@example.org")
    token = services.readers.accounts.create_api_token(reader.id, "script")
    script = make_client()
    auth = {"Authorization": f"Bearer {token}"}
    script.post("/api/me/follows", json={"kind": "author", "value": "Ada Lovelace"}, headers=auth)
    answer = script.delete("/api/me/follows/author/Ada%0ALovelace", headers=auth)
    assert answer.status_code == 404 and answer.json()["status"] == 404
    assert script.get("/api/me/follows", headers=auth).json() == [
        {"kind": "author", "value": "Ada Lovelace", "following": True}]
    schema = script.get("/openapi.json").json()
    declared = schema["paths"]["/api/me/follows/{kind}/{value}"]["delete"]["responses"]
    assert "404" in declared
