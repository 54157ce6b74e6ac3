"""Choosing each reader's papers for an edition.

    trending   the top trending papers the reader has not been sent
    per topic  the best new matches of the topic's search (hybrid by default, with its
               category and author filters), new = first seen since the last edition
    For you    for a reader with a library or follows: the new papers of the authors
               they follow, then the library's recommendations, each with its reason

Every paper appears once, under the topic that ranks it highest (For you only takes what
no topic claimed, trending what neither did), never a paper this reader was already
sent, nor one they marked "not interested" or keep in their library. For you takes a
third of the reader's papers-per-digest (half without topics), topics two thirds of the
rest, round robin by rank; trending fills the rest. Ties break by paper id, so an
edition is deterministic for a given catalog state. Searches are cached per edition run:
readers who share a topic (or follow an author) share its search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from papertide import trending
from papertide.catalog import Catalog, Paper, last_announcement
from papertide.digest._log import DeliveryLog
from papertide.library import Library
from papertide.options import Mode
from papertide.readers import Reader, Readers, Topic
from papertide.search import Filters, SearchService

FIRST_EDITION_LOOKBACK = timedelta(days=7)


@dataclass
class Section:
    title: str
    papers: list[Paper]
    topic: Topic | None = None
    reasons: dict[str, str] = field(default_factory=dict)  # why a paper is here, by id
    dismiss_links: dict[str, str] = field(default_factory=dict)  # "not interested", by id


@dataclass
class Edition:
    reader: Reader
    key: str
    since: datetime
    until: datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def paper_ids(self) -> list[str]:
        return [p.id for s in self.sections for p in s.papers]

    @property
    def count(self) -> int:
        return len(self.paper_ids)


def topic_title(topic: Topic) -> str:
    parts = [topic.query] if topic.query else []
    if topic.category:
        parts.append(f"in {topic.category}")
    if topic.author:
        parts.append(f"by {topic.author}")
    return " ".join(parts)


class Composer:
    """Composes editions against one catalog state; reuse it across a fan-out run."""

    def __init__(self, catalog: Catalog, search: SearchService, library: Library,
                 readers: Readers, log: DeliveryLog, mode: Mode, now: datetime) -> None:
        self.catalog = catalog
        self.search = search
        self.library = library
        self.readers = readers
        self.log = log
        self.mode = mode
        self.now = now
        self._topic_cache: dict[tuple, list[str]] = {}
        self._trending: list[str] | None = None
        self._first_seen: dict[str, datetime] = {}
        self._by_author: dict[str, list[str]] = {}
        self._with_library: set[int] | None = None

    def period(self, reader: Reader) -> tuple[datetime, datetime]:
        since = reader.last_sent_at or (self.now - FIRST_EDITION_LOOKBACK)
        return since, self.now

    def has_new_announcement(self, reader: Reader) -> bool:
        """False when arXiv announced nothing since the reader's last edition."""
        return reader.last_sent_at is None or last_announcement(self.now) > reader.last_sent_at

    def _ranked(self, topic: Topic) -> list[str]:
        key = (topic.query, topic.category, topic.author)
        if key not in self._topic_cache:
            filters = Filters(category=topic.category, author=topic.author)
            search = self.search
            if topic.query.strip():
                ranked = search.ranked_ids(topic.query, filters, mode=self.mode, depth=100)
            else:
                ranked = [
                    (h.paper.id, 0.0)
                    for h in search.search("", filters, sort="new", mode="keyword", limit=100).hits
                ]
            self._topic_cache[key] = [pid for pid, _ in ranked]
            self._load_first_seen(self._topic_cache[key])
        return self._topic_cache[key]

    def _load_first_seen(self, ids: list[str]) -> None:
        missing = [i for i in ids if i not in self._first_seen]
        if missing:
            self._first_seen.update(self.catalog.first_seen(missing))

    def _trending_ids(self) -> list[str]:
        if self._trending is None:
            self._trending = [
                p.id for p, _ in trending.trending(self.catalog, "week", 200, now=self.now)
            ]
        return self._trending

    def _has_library(self, reader: Reader) -> bool:
        if self._with_library is None:
            self._with_library = self.library.store.readers_with_signals()
        return reader.id in self._with_library

    def _author_ids(self, author: str) -> list[str]:
        """The newest papers of a followed author (shared by the readers who follow them)."""
        if author not in self._by_author:
            hits = self.search.search("", Filters(author=author), sort="new",
                                               mode="keyword", limit=50).hits
            self._by_author[author] = [h.paper.id for h in hits]
            self._load_first_seen(self._by_author[author])
        return self._by_author[author]

    def _for_you(self, reader: Reader, since: datetime, until: datetime, skip: set[str],
                 budget: int) -> tuple[list[str], dict[str, str]]:
        """The reader's "For you" papers with their reasons: the new papers of the authors
        they follow, then recommendations from their library."""
        library = self.library
        chosen: list[str] = []
        reasons: dict[str, str] = {}
        for follow in library.follows(reader.id):
            if follow.kind != "author":
                continue
            for pid in self._author_ids(follow.value):
                seen = self._first_seen.get(pid)
                if pid in skip or pid in reasons or seen is None or not since < seen <= until:
                    continue
                chosen.append(pid)
                reasons[pid] = f"new from {follow.value}, whom you follow"
        chosen = chosen[:budget]
        if len(chosen) < budget:
            found = library.for_you(reader.id, limit=budget - len(chosen),
                                    exclude=skip | set(chosen))
            for item in found.items:
                chosen.append(item.paper.id)
                reasons[item.paper.id] = item.reason
        return chosen, reasons

    def compose(self, reader: Reader, key: str) -> Edition:
        since, until = self.period(reader)
        sent = self.log.sent_to(reader.id)
        budget = reader.per_digest
        personal = self._has_library(reader)
        if personal:  # "not interested" holds in every section; saved papers are known
            store = self.library.store
            sent |= {pid for pid, _ in store.dismissed(reader.id)}
            sent |= set(store.saved_ids(reader.id))
        for_you_budget = (budget // 3 if reader.topics else budget // 2) if personal else 0
        topic_budget = -(-(budget - for_you_budget) * 2 // 3) if reader.topics else 0
        # Best rank of each new, unsent paper over the reader's topics.
        best: dict[str, tuple[int, int]] = {}
        for t_index, topic in enumerate(reader.topics):
            for rank, pid in enumerate(self._ranked(topic)):
                seen = self._first_seen.get(pid)
                if pid in sent or seen is None or not (since < seen <= until):
                    continue
                if pid not in best or (rank, t_index) < best[pid]:
                    best[pid] = (rank, t_index)
        per_topic: list[list[str]] = [[] for _ in reader.topics]
        for pid, (_, t_index) in sorted(best.items(), key=lambda kv: (kv[1], kv[0])):
            per_topic[t_index].append(pid)
        chosen: list[list[str]] = [[] for _ in reader.topics]
        taken = 0
        for depth in range(max((len(x) for x in per_topic), default=0)):
            for t_index, ids in enumerate(per_topic):
                if taken < topic_budget and depth < len(ids):
                    chosen[t_index].append(ids[depth])
                    taken += 1
        claimed = {pid for ids in chosen for pid in ids}
        mine, reasons = ([], {}) if not for_you_budget else self._for_you(
            reader, since, until, sent | claimed, for_you_budget)
        claimed.update(mine)
        hot = [pid for pid in self._trending_ids() if pid not in sent and pid not in claimed]
        hot = hot[:budget - taken - len(mine)]
        papers_by_id = {p.id: p for p in self.catalog.get_many(list(claimed) + hot)}
        edition = Edition(reader, key, since, until)
        for topic, ids in zip(reader.topics, chosen, strict=True):
            if ids:
                edition.sections.append(
                    Section(topic_title(topic), [papers_by_id[p] for p in ids], topic)
                )
        if mine:
            links = {pid: self.readers.link(reader, "dismiss", "/not-interested", p=pid)
                     for pid in mine}
            edition.sections.append(Section("For you", [papers_by_id[p] for p in mine
                                                        if p in papers_by_id], reasons=reasons,
                                            dismiss_links=links))
        if hot:
            edition.sections.append(
                Section("Trending", [papers_by_id[p] for p in hot if p in papers_by_id])
            )
        return edition
