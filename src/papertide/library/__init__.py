"""Readers' libraries: saved papers, tags, notes, dismissals and follows; BibTeX, CSL-JSON
and JSON-lines import and export; recommendations ("For you") from what a reader saved,
dismissed and follows.

    library = services.library
    library.save(reader.id, "2503.11731", tags=["splatting"])
    text = export_library(library, reader.id, "bibtex")
    report = import_library(services, reader.id, Path("zotero.bib").read_text())
    library.for_you(reader.id, limit=20).items        # [Suggestion(paper, score, reason)]
    recommend(services, positives=saved_ids, negatives=dismissed_ids, exclude=seen)

It uses the catalog, search and readers; the web app, the CLI and the digest use it,
never the other way round.
"""

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
from papertide.library._recommend import Recommendation, recommend
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

__all__ = ["CATEGORY_CHOICES", "EXPORT_FORMATS", "FOLLOW_KINDS", "LIBRARY_SORTS",
           "TITLE_THRESHOLD", "ExportFormat", "Follow", "FollowKind", "ForYou", "ImportReport",
           "Library", "LibraryError", "LibrarySort", "LibraryStore", "PaperNotFound",
           "Recommendation", "Reference", "Saved", "SavedPaper", "Suggestion", "clean_follow",
           "clean_note", "clean_tag", "clean_tags", "export_library", "import_library",
           "read_references", "recommend"]
