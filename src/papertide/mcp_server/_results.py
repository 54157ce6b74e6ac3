"""What the tools answer, as typed models (each becomes the tool's output schema): papers
with their arXiv and papertide links, and the lists that carry them.

Titles and abstracts are plain Unicode (LaTeX math rendered, `90\\%` as `90%`), as a model
reads them best.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from papertide.catalog import Paper
from papertide.mathtext import to_plain

ABSTRACT_IN_LISTS = 600  # characters of each abstract in a list; `get_paper` gives it whole


class PaperResult(BaseModel):
    id: str = Field(description="papertide id; any tool taking a paper accepts it")
    title: str
    authors: list[str]
    categories: list[str]
    abstract: str
    published: datetime | None = None
    announced: date | None = Field(None, description="the arXiv listing day that carried it")
    arxiv_id: str | None = None
    doi: str | None = None
    arxiv_url: str | None = Field(None, description="the paper's arXiv abstract page")
    pdf_url: str | None = None
    code_url: str | None = None
    page_url: str = Field(description="the paper's page on this papertide")
    votes: int = 0
    saves: int = 0
    score: float | None = Field(None, description="relevance or trending score, if ranked")
    reason: str | None = Field(None, description="why it is recommended")

    @classmethod
    def of(cls, paper: Paper, base_url: str, score: float | None = None,
           reason: str | None = None, abstract_chars: int | None = ABSTRACT_IN_LISTS
           ) -> PaperResult:
        abstract = to_plain(paper.abstract)
        if abstract_chars is not None and len(abstract) > abstract_chars:
            abstract = abstract[:abstract_chars].rsplit(" ", 1)[0] + " …"
        links = paper.links
        arxiv_url = links.get("abs") if "arxiv.org" in links.get("abs", "") else None
        if arxiv_url is None and paper.arxiv_id:
            arxiv_url = f"https://arxiv.org/abs/{paper.arxiv_id}"
        return cls(id=paper.id, title=to_plain(paper.title), authors=paper.authors,
                   categories=paper.categories, abstract=abstract, published=paper.published,
                   announced=paper.announced, arxiv_id=paper.arxiv_id, doi=paper.doi,
                   arxiv_url=arxiv_url, pdf_url=links.get("pdf"), code_url=links.get("code"),
                   page_url=f"{base_url.rstrip('/')}/papers/{paper.id}", votes=paper.votes,
                   saves=paper.saves, score=None if score is None else round(score, 4),
                   reason=reason)


class PaperDetail(PaperResult):
    views: int = 0
    comment: str | None = None
    journal_ref: str | None = None
    signals: dict[str, float] = Field(
        default_factory=dict,
        description="what live sources say, e.g. {'hf_daily upvotes': 42, 'github_stars': 310}")


class PaperList(BaseModel):
    papers: list[PaperResult]
    note: str | None = None


class SearchResult(PaperList):
    query: str
    mode: str = Field(description="the mode that ran (keyword when the index for meaning "
                                  "is not built, or when the query has nothing to embed)")
    total: int = Field(description="papers in the whole ranking (a lower bound when large)")
    missing: list[str] = Field(default_factory=list,
                               description="ids in the query the catalog lacks")


class DayResult(PaperList):
    day: date | None = Field(description="the announcement day shown (None: no day yet)")
    total: int
    previous_day: date | None = None
    next_day: date | None = None


class SavedResult(BaseModel):
    paper: PaperResult
    saved_at: datetime
    tags: list[str]
    note: str | None = None


class LibraryResult(BaseModel):
    items: list[SavedResult]
    total: int = Field(description="saved papers in the whole library")
    tags: dict[str, int] = Field(description="each tag of the library and its papers")


class Removed(BaseModel):
    id: str
    removed: bool
    title: str


class Recommendations(PaperList):
    based_on: str
