"""`GET /metrics`: Prometheus series an operator alerts on — requests and latency by route
template, search latency by mode, queue depth, deliveries, papers fetched per source,
index lag — to loopback clients or with the metrics token, summed over processes when
PROMETHEUS_MULTIPROC_DIR is set."""

import os
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from papertide.catalog import Paper
from tests.helpers import add_reader, sign_in


def _scrape(client, **headers):
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def _value(series, name, **labels):
    return series.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_search_and_a_vote_show_in_the_series(client):
    before = _scrape(client)
    csrf = sign_in(client, client.app.state.services, "ada@example.org")
    paper = client.app.state.services.catalog.newest(1)[0].id
    assert client.get("/api/search", params={"q": "multi-agent", "mode": "keyword"}).status_code \
        == 200
    assert client.post(f"/api/papers/{paper}/vote", headers={"X-CSRF-Token": csrf}).json()[
        "votes"] == 1
    assert client.get("/papers/no-such-paper").status_code == 404
    assert client.get("/no/such/page/123").status_code == 404
    after = _scrape(client)

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("papertide_http_requests_total", method="GET", route="/api/search",
                status="200") == 1
    assert grew("papertide_http_requests_total", method="POST",
                route="/api/papers/{paper_id:path}/vote", status="200") == 1
    assert grew("papertide_http_request_duration_seconds_count", method="POST",
                route="/api/papers/{paper_id:path}/vote") == 1
    # Labelled by route template, never by raw path.
    assert grew("papertide_http_requests_total", method="GET", route="/papers/{paper_id:path}",
                status="404") == 1
    assert grew("papertide_http_requests_total", method="GET", route="(unmatched)",
                status="404") == 1
    assert not any("no-such-paper" in str(key) or "123" in str(key) for key in after)
    assert grew("papertide_search_duration_seconds_count", mode="keyword") == 1
    assert ("papertide_queue_depth", ()) in after
    assert _value(after, "papertide_index_lag_seq", index="keyword") == 0
    assert _value(after, "papertide_catalog_seq") > 0


def test_the_index_lag_counts_changes_the_index_has_not_taken(client):
    services = client.app.state.services
    # Holding the index folder as a writer does keeps the app's own follower from taking
    # the changes (its rounds wait for the folder) while the lag is scraped.
    with services.search.lock.writing():
        services.catalog.upsert([Paper(title="Fresh one"), Paper(title="Fresh two")])
        assert _value(_scrape(client), "papertide_index_lag_seq", index="keyword") == 1  # a batch
    services.search.catch_up()
    assert _value(_scrape(client), "papertide_index_lag_seq", index="keyword") == 0


def test_deliveries_and_fetches_are_counted(client, server):
    from papertide.pull import look_up
    from tests.sources.conftest import API, Reply

    services = client.app.state.services
    before = _scrape(client)
    add_reader(services, "counted@example.org")
    assert services.digests.run(everyone=True) == {"sent": 1}
    body = (API / "new_format_2025-11" / "query_id_list_2206.06921.xml").read_bytes()
    server.route("/api/query", lambda p: Reply(body=body, content_type="application/atom+xml"))
    live = services.settings.model_copy(update=dict(arxiv_api_url=f"{server.url}/api/query",
                                                    fetch_interval=0))
    from papertide.services import open_services

    run = look_up(open_services(live), ["2206.06921"])
    assert run.status == "ok" and run.added == 1
    after = _scrape(client)
    assert _value(after, "papertide_deliveries_total", outcome="sent") \
        - _value(before, "papertide_deliveries_total", outcome="sent") == 1
    assert _value(after, "papertide_papers_fetched_total", source="arxiv-api", outcome="added") \
        - _value(before, "papertide_papers_fetched_total", source="arxiv-api",
                 outcome="added") == 1
    assert _value(after, "papertide_source_runs_total", source="arxiv-api", status="ok") \
        - _value(before, "papertide_source_runs_total", source="arxiv-api", status="ok") == 1


def test_only_loopback_or_the_token_may_read(make_client):
    outside = make_client(ip="203.0.113.5")
    assert outside.get("/metrics").status_code == 403
    # Through a proxy on this machine that is not declared trusted: not loopback.
    local = make_client()
    assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 403
    assert local.get("/metrics").status_code == 200
    with_token = make_client(ip="203.0.113.6", metrics_token="s3cret")
    assert with_token.get("/metrics").status_code == 403
    assert with_token.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code \
        == 403
    assert with_token.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code \
        == 200
    # Behind a trusted proxy, the forwarded client decides.
    proxied = make_client(trusted_proxies="127.0.0.1")
    assert proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"}).status_code \
        == 403
    assert proxied.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


@pytest.mark.slow  # a `papertide digest run` process starts
def test_with_a_multiprocess_dir_the_series_of_every_process_add_up(client, tmp_path,
                                                                     monkeypatch):
    """Another process (a worker, another web process) counts into the shared folder; this
    process's /metrics shows its deliveries."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    services = client.app.state.services
    add_reader(services, "elsewhere@example.org")
    settings = services.settings
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder),
           "PAPERTIDE_DATA_DIR": str(settings.data_dir),
           "PAPERTIDE_DATABASE_URL": settings.resolved_database_url,
           "PAPERTIDE_SECRET_KEY": "test-secret", "PAPERTIDE_SEND_RATE": "0",
           "PAPERTIDE_SEARCH_MODE": "keyword", "PAPERTIDE_SMTP_URL": settings.smtp_url}
    done = subprocess.run([sys.executable, "-m", "papertide.cli", "digest", "run", "--now"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    series = _scrape(client)
    assert _value(series, "papertide_deliveries_total", outcome="sent") == 1
    assert ("papertide_queue_depth", ()) in series
