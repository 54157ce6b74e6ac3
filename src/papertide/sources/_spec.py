"""What to pull from the live sources: the `PAPERTIDE_SOURCES` syntax, parsed strictly.

    SOURCES := ITEM ( whitespace ITEM )*
    ITEM    := NAME [ ":" ARG ( "," ARG )* ]
    ARG     := an arXiv category (cs.LG, hep-th) or archive (cs, astro-ph) | KEY "=" VALUE

    arxiv-oai:cs.LG,cs.CL,stat.ML       OAI-PMH harvest of these categories (format=arXiv,
    arxiv-oai:cs,format=arXivRaw        arXivRaw or oai_dc; default arXiv)
    arxiv-api:cs.LG,max=300             the newest papers of these categories from the
                                        arXiv API (max: most per run, default 200)
    hf-daily                            Hugging Face daily papers, with their upvotes

    parse_sources("arxiv-oai:cs.LG,cs.CL hf-daily")   # [SourceSpec(...), SourceSpec(...)]

Anything else is an error that names the item and what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast, get_args

from papertide.catalog import arxiv_taxonomy

SourceKind = Literal["arxiv-oai", "arxiv-api", "hf-daily"]
OaiFormat = Literal["arXiv", "arXivRaw", "oai_dc"]
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
OAI_FORMATS: tuple[str, ...] = get_args(OaiFormat)
DEFAULT_API_MAX = 200
_API_MAX_LIMIT = 2000
_OPTIONS = {"arxiv-oai": {"format"}, "arxiv-api": {"max"}, "hf-daily": set()}
_NEEDS_CATEGORIES = {"arxiv-oai", "arxiv-api"}
_BY_FOLDED = {code.casefold(): code for code in
              [*arxiv_taxonomy.CATEGORIES, *arxiv_taxonomy.ARCHIVES]}


class SpecError(ValueError):
    """A source specification that cannot be used; the message says why."""


@dataclass(frozen=True)
class SourceSpec:
    kind: SourceKind
    categories: tuple[str, ...] = ()
    format: OaiFormat = "arXiv"
    max_results: int = DEFAULT_API_MAX

    def __str__(self) -> str:
        """The canonical text of the spec, e.g. `arxiv-oai:cs.CL,cs.LG,format=oai_dc`."""
        args = list(self.categories)
        if self.kind == "arxiv-oai" and self.format != "arXiv":
            args.append(f"format={self.format}")
        if self.kind == "arxiv-api" and self.max_results != DEFAULT_API_MAX:
            args.append(f"max={self.max_results}")
        return self.kind + (":" + ",".join(args) if args else "")


def parse_source(item: str) -> SourceSpec:
    name, _, rest = item.strip().partition(":")
    if name not in SOURCE_KINDS:
        raise SpecError(
            f"source {item!r}: unknown source {name!r} (choose from {', '.join(SOURCE_KINDS)})"
        )
    categories: list[str] = []
    options: dict[str, str] = {}
    for arg in rest.split(",") if rest else []:
        arg = arg.strip()
        if not arg:
            raise SpecError(f"source {item!r}: an empty argument (two commas, or a trailing one)")
        key, eq, value = arg.partition("=")
        if eq:
            if key not in _OPTIONS[name]:
                allowed = ", ".join(sorted(_OPTIONS[name])) or "none"
                raise SpecError(
                    f"source {item!r}: unknown option {key!r} for {name} (options: {allowed})"
                )
            if key in options:
                raise SpecError(f"source {item!r}: option {key!r} given twice")
            options[key] = value
            continue
        code = _BY_FOLDED.get(arg.casefold())
        if code is None:
            raise SpecError(f"source {item!r}: {arg!r} is not an arXiv category or archive "
                            "(see arxiv.org/category_taxonomy)")
        categories.append(code)
    if name in _NEEDS_CATEGORIES and not categories:
        raise SpecError(
            f"source {item!r}: {name} needs at least one category, e.g. {name}:cs.LG,cs.CL"
        )
    if name not in _NEEDS_CATEGORIES and categories:
        raise SpecError(f"source {item!r}: {name} takes no categories")
    kind = cast(SourceKind, name)
    spec = SourceSpec(kind, tuple(sorted(set(categories))))
    if "format" in options:
        if options["format"] not in OAI_FORMATS:
            raise SpecError(f"source {item!r}: format must be one of {', '.join(OAI_FORMATS)}")
        spec = SourceSpec(kind, spec.categories, format=cast(OaiFormat, options["format"]))
    if "max" in options:
        value = options["max"]
        if not value.isdigit() or not 1 <= int(value) <= _API_MAX_LIMIT:
            raise SpecError(
                f"source {item!r}: max must be a whole number from 1 to {_API_MAX_LIMIT}"
            )
        spec = SourceSpec(kind, spec.categories, max_results=int(value))
    return spec


def parse_sources(text: str) -> list[SourceSpec]:
    """Every item of a `PAPERTIDE_SOURCES` value; an empty value pulls nothing."""
    specs: list[SourceSpec] = []
    for item in text.split():
        spec = parse_source(item)
        if spec in specs:
            raise SpecError(f"source {item!r} is listed twice")
        specs.append(spec)
    return specs
