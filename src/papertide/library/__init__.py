"""Readers' libraries: saved papers, tags, notes, dismissals and follows; BibTeX, CSL-JSON
and JSON-lines import and export; recommendations ("For you") learned from what a reader
saved, dismissed and follows, and their offline evaluation; private feeds (secret Atom
URLs for a feed reader).

    library = Library(catalog, search)                # services.library in the fronts
    library.save(reader.id, "2503.11731", tags=["splatting"])
    text = export_library(library, reader.id, "bibtex")
    report = import_library(library, reader.id, Path("zotero.bib").read_text(),
                            fetch=intake.fetch_unknown)   # arXiv ids the catalog lacks
    library.for_you(reader.id, limit=20).items        # [Suggestion(paper, score, reason)]
    recommend(catalog, search, positives=saved_ids, negatives=dismissed_ids, exclude=seen)
    table = evaluate(load_corpus(Path("papers.jsonl.gz")), readers=300)  # eval-recs

It uses the catalog and search (the vectors through `SearchService.vector_view`); the
digest and the fronts use it, never the other way round.
"""

from papertide.library._cite import apa, bibtex
from papertide.library._evaluate import Corpus, Reader, evaluate, load_corpus, simulated_readers
from papertide.library._feeds import FEED_KINDS, FeedKind, PrivateFeed, PrivateFeeds
from papertide.library._library import (
    CATEGORY_CHOICES,
    FOLLOW_KINDS,
    LIBRARY_SORTS,
    FollowKind,
    ForYou,
    Library,
    LibraryError,
    LibrarySort,
    PaperNotFound,
    SavedPaper,
    Saving,
    Suggestion,
    clean_follow,
    clean_note,
    clean_tag,
    clean_tags,
)
from papertide.library._match import TITLE_THRESHOLD, Fetcher, Matcher, Matching
from papertide.library._recommend import Recommendation, recommend, score_rows
from papertide.library._reference import Reference
from papertide.library._store import Follow, LibraryStore, Saved
from papertide.library._transfer import (
    EXPORT_FORMATS,
    ExportFormat,
    ImportReport,
    export_library,
    import_library,
    read_references,
)

__all__ = ["CATEGORY_CHOICES", "EXPORT_FORMATS", "FEED_KINDS", "FOLLOW_KINDS", "LIBRARY_SORTS",
           "TITLE_THRESHOLD", "Corpus", "ExportFormat", "FeedKind", "Follow", "FollowKind",
           "ForYou", "Fetcher", "ImportReport", "Library", "LibraryError", "LibrarySort",
           "LibraryStore", "Matcher", "Matching", "PaperNotFound", "PrivateFeed", "PrivateFeeds",
           "Reader", "Recommendation", "Reference", "Saved", "SavedPaper", "Saving", "Suggestion",
           "apa", "bibtex", "clean_follow", "clean_note", "clean_tag", "clean_tags", "evaluate",
           "export_library", "import_library", "load_corpus", "read_references", "recommend",
           "score_rows", "simulated_readers"]
