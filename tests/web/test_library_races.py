"""One reader's library under concurrent writes: saving, unsaving, tagging and noting one
paper from 20 requests at once (as a double-clicking browser and a script can) gives no
server error, and afterwards the paper's save count agrees with the library."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.helpers import LiveServer, add_reader

PAPER = "t6585e84c9ec5f39"  # the demo's first paper
ROUNDS = 4


def test_concurrent_library_writes_give_no_server_error(web_settings, demo):
    reader = add_reader(demo, "ada@example.org")
    token = demo.readers.accounts.create_api_token(reader.id, "race", ["read", "library"])
    auth = {"Authorization": f"Bearer {token}"}
    requests = [("POST", "/api/me/library", {"id": PAPER, "tags": ["a", "b"]}),
                ("DELETE", f"/api/me/library/{PAPER}", None),
                ("PATCH", f"/api/me/library/{PAPER}", {"tags": ["b", "c"]}),
                ("PATCH", f"/api/me/library/{PAPER}", {"note": "read §3"}),
                ("POST", "/api/me/library", {"id": PAPER, "note": "again"})]
    settings = web_settings.model_copy(update={"limit_votes": "10000/minute"})
    statuses: list[int] = []
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, headers=auth,
                                                      timeout=60) as client:
        def send(n: int) -> int:
            method, path, body = requests[n % len(requests)]
            return client.request(method, path, json=body).status_code

        with ThreadPoolExecutor(20) as pool:
            for _ in range(ROUNDS):
                statuses += pool.map(send, range(20))
        saved = client.get(f"/api/me/library/{PAPER}")
        paper = client.get(f"/api/papers/{PAPER}").json()
        tags = client.get("/api/me/tags").json()
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) <= {200, 404}
    in_library = saved.status_code == 200
    assert paper["saves"] == (1 if in_library else 0)
    if not in_library:
        assert tags == []  # no tag outlives its paper in the library
