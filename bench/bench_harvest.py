"""A typical arXiv day harvested end to end: about 2,000 new cs papers over OAI-PMH from a
local server (parse, keep the wanted set, upsert into SQLite, feed the keyword index),
against a baseline in the same run that only parses the same pages. Median of 3 runs,
each into a fresh data dir; embedding is not part of the harvest and is shown beside it
(the default profile, measured on a sample of the day's papers).

The day is made of recorded arXiv responses (the complete three-page harvest where
`../shared/fixtures` exists beside the repository, else the trimmed pages in
`tests/fixtures`): their cs records repeated with perturbed ids, titles and DOIs until
there are N, served 1,000 to a page with a resumption-token chain.

    python bench/bench_harvest.py [N]
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE, timed  # noqa: E402

from papertide.catalog import readable  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.services import open_services  # noqa: E402
from papertide.sources import fetch  # noqa: E402
from papertide.sources.arxiv_oai import parse_page  # noqa: E402

HERE = Path(__file__).parent
RECORDED = HERE.parent.parent / "shared" / "fixtures" / "arxiv_oai_pmh"
TRIMMED = HERE.parent / "tests" / "fixtures" / "arxiv-oai"
PAGE_SIZE = 1000
_RECORD = re.compile(r"\s*<record>.*?</record>", re.DOTALL)
_ID = re.compile(r"(oai:arXiv\.org:|arxiv\.org/abs/)([\w./-]+?)(?=<)")


def recorded_pages() -> tuple[list[str], str]:
    if (RECORDED / "ListRecords_data_0.xml").exists():
        return [(RECORDED / f"ListRecords_data_{i}.xml").read_text() for i in range(3)], \
            "the recorded 2,265-record harvest"
    return [(TRIMMED / f"ListRecords_oai_dc_{i}.xml").read_text() for i in range(3)], \
        "the trimmed recorded pages"


def day_pages(n: int) -> tuple[list[bytes], str]:
    """n cs records of the recorded pages, repeated with perturbed ids, in pages."""
    pages, origin = recorded_pages()
    head = pages[0][:pages[0].index("<ListRecords>") + len("<ListRecords>")]
    cs = [m.group(0) for page in pages for m in _RECORD.finditer(page) if "<setSpec>cs</setSpec>" in m.group(0)]
    records = []
    for i in range(n):
        record, copy = cs[i % len(cs)], i // len(cs)
        if copy:
            new_id = f"{9000 + copy}.{i % len(cs):05d}"
            record = _ID.sub(lambda m, new_id=new_id: m.group(1) + new_id, record)
            record = record.replace("</dc:title>", f" ({copy})</dc:title>")
            record = record.replace("<dc:identifier>doi:", f"<dc:identifier>doi:10.99999/copy{copy}.")
        records.append(record)
    out = []
    for start in range(0, n, PAGE_SIZE):
        token = f"bench|{start + PAGE_SIZE + 1}" if start + PAGE_SIZE < n else ""
        body = head + "".join(records[start:start + PAGE_SIZE]) + \
            f'\n<resumptionToken cursor="{start}" completeListSize="{n}">{token}</resumptionToken>' \
            "\n</ListRecords>\n</OAI-PMH>\n"
        out.append(body.encode())
    return out, f"cs records of {origin}" + (" (repeated, perturbed ids)" if n > len(cs) else "")


def serve(pages: list[bytes]) -> ThreadingHTTPServer:
    tokens = {f"bench|{i * PAGE_SIZE + 1}": i for i in range(1, len(pages))}

    class Handle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the standard library names it so
            params = dict(parse_qsl(urlsplit(self.path).query))
            body = pages[tokens.get(params.get("resumptionToken", ""), 0)]
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd


def harvest(url: str, with_index: bool, n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        services = open_services(Settings(data_dir=Path(tmp), arxiv_oai_url=url, fetch_interval=0,
                                          contact_email="bench@example.org", embed_on_ingest=False))

        def run():
            if not with_index:
                return fetch(services.catalog, "arxiv-oai:cs,format=oai_dc", services.settings,
                             since=date(2023, 3, 7))
            with services.search.feeding() as feed:
                return fetch(services.catalog, "arxiv-oai:cs,format=oai_dc", services.settings,
                             on_changed=feed, since=date(2023, 3, 7))

        result, seconds = timed(run)
        assert result.status == "ok" and result.added == n, result.as_dict()
        if with_index:
            assert services.search.keyword.num_docs() == n
        return seconds


def embedding_seconds(pages: list[bytes], sample: int) -> tuple[float, int] | None:
    """Seconds per paper of the default embedding profile over a sample of the day."""
    try:
        from papertide.search._embed import Embedder, embedding_text
    except ImportError:
        return None
    papers = [r.paper for page in pages for r in parse_page(page, "bench").records][:sample]
    texts = [embedding_text(readable(p.title), readable(p.abstract)) for p in papers]
    embedder = Embedder("default", cache_dir=CACHE)
    embedder.embed(texts[:8])  # load the model outside the timing
    _, seconds = timed(embedder.embed, texts)
    return seconds / len(texts), len(texts)


def main(n: int = 2000, runs: int = 3) -> None:
    pages, origin = day_pages(n)
    httpd = serve(pages)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/oai"
    parse_only, catalog_only, end_to_end = [], [], []
    try:
        for _ in range(runs):
            started = time.perf_counter()
            assert sum(len(parse_page(page, "bench").records) for page in pages) == n
            parse_only.append(time.perf_counter() - started)
            catalog_only.append(harvest(url, False, n))
            end_to_end.append(harvest(url, True, n))
    finally:
        httpd.shutdown()
    med = statistics.median
    print(f"OAI-PMH harvest of one day, {n:,} records ({origin}), {len(pages)} pages served "
          f"locally, median of {runs} runs")
    print(f"  baseline: parse only                         {n / med(parse_only):>8,.0f} records/s   {med(parse_only):6.2f} s")
    print(f"  papertide: fetch + upsert (SQLite)           {n / med(catalog_only):>8,.0f} records/s   {med(catalog_only):6.2f} s")
    print(f"  papertide: fetch + upsert + keyword index    {n / med(end_to_end):>8,.0f} records/s   {med(end_to_end):6.2f} s   goal < 5 s")
    embedded = embedding_seconds(pages, 256)
    if embedded:
        per_paper, sample = embedded
        print(f"  beside it: embedding, default profile        {1 / per_paper:>8,.1f} papers/s    "
              f"{per_paper * n:6.1f} s for the day (measured on {sample} papers)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
