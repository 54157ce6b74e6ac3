"""Readers' libraries: saved papers, tags, notes, dismissals and follows; BibTeX, CSL-JSON
and JSON-lines import and export; recommendations ("For you") learned from what a reader
saved, dismissed and follows, and their offline evaluation; private feeds (secret Atom
URLs for a feed reader).

    library = services.library
    library.save(reader.id, "2503.11731", tags=["splatting"])
    text = export_library(library, reader.id, "bibtex")
    report = import_library(services, reader.id, Path("zotero.bib").read_text())
    library.for_you(reader.id, limit=20).items        # [Suggestion(paper, score, reason)]
    recommend(services, positives=saved_ids, negatives=dismissed_ids, exclude=seen)
    table = evaluate(load_corpus(Path("papers.jsonl.gz")), readers=300)  # eval-recs

It uses the catalog, search and readers; the web app, the CLI and the digest use it,
never the other way round.
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
    Suggestion,
    clean_follow,
    clean_note,
    clean_tag,
    clean_tags,
)
from papertide.library._match import TITLE_THRESHOLD
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
           "ForYou", "ImportReport", "Library", "LibraryError", "LibrarySort", "LibraryStore",
           "PaperNotFound", "PrivateFeed", "PrivateFeeds", "Reader", "Recommendation",
           "Reference", "Saved", "SavedPaper", "Suggestion", "apa", "bibtex", "clean_follow",
           "clean_note",
           "clean_tag", "clean_tags", "evaluate", "export_library", "import_library",
           "load_corpus", "read_references", "recommend", "score_rows", "simulated_readers"]
