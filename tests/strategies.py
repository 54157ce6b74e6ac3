"""Hypothesis strategies for hostile input: any text (unpaired surrogates, NULs and control
characters included), JSON values of every kind (huge and negative numbers, NaN and
infinities, deep nesting), date strings across and beyond every calendar, and records
that look like papers with any of those in any field.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

from hypothesis import strategies as st

# Every code point, unpaired surrogates too (a JSON `\ud800` escape decodes to one).
any_char = st.characters(exclude_categories=())
any_text = st.text(any_char, max_size=40)
plain_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.just(10**30), st.just(2**31), st.just(2**63), st.just(-1),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, any_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)


def _offset(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


aware = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=_offset(minutes)),
    st.datetimes(), st.integers(min_value=-23 * 60, max_value=23 * 60),
)
date_strings = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    aware.map(lambda d: d.isoformat()),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
    .map(lambda d: format_datetime(d.replace(tzinfo=UTC))),
    st.sampled_from(["0001-01-01", "9999-12-31", "0208-05-23", "2262-04-11", "1677-09-21",
                     "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-02-30",
                     "Mon, 2 Apr 99999 19:18:42 GMT", "None", "", "2024-05-31T25:00:00"]),
    any_text,
)
urls = st.one_of(
    st.sampled_from(["https://arxiv.org/abs/2401.00001", "http://x.org/a.pdf",
                     "httpx:alert(1)", "javascript:alert(1)", "http://", "https://[::1",
                     "HTTPS://EXAMPLE.ORG/", " https://x.org"]),
    any_text,
)
ids = st.one_of(
    st.sampled_from(["2401.00001", "2401.00001v3", "hep-th/9901001v2", "arXiv:2503.11731",
                     "2401.00001v99999999999999999999", "10.1000/xyz", "x" * 300, "a\nb"]),
    any_text,
)


def field_value(plausible: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly what the field should hold, sometimes anything at all."""
    return st.one_of(plausible, json_values)


paper_fields = {
    "id": field_value(ids),
    "arxiv_id": field_value(ids),
    "title": field_value(plain_text.filter(str.strip) | any_text),
    "abstract": field_value(any_text),
    "summary": field_value(any_text),
    "authors": field_value(st.lists(any_text, max_size=3) | any_text
                           | st.lists(st.lists(any_text, max_size=3), max_size=2)),
    "categories": field_value(st.lists(any_text, max_size=3) | any_text),
    "doi": field_value(st.sampled_from(["10.1000/ABC", "doi:10.5/x", "10." + "İ" * 197])
                       | any_text),
    "published": field_value(date_strings),
    "updated": field_value(date_strings),
    "announced": field_value(date_strings),
    "first_seen": field_value(date_strings),
    "listing_dates": field_value(st.lists(date_strings, max_size=2)),
    "version": field_value(numbers),
    "rank_hint": field_value(numbers),
    "votes": field_value(numbers),
    "views": field_value(numbers),
    "saves": field_value(numbers),
    "url_abs": field_value(urls),
    "url_pdf": field_value(urls),
    "url_code": field_value(urls),
    "links": field_value(st.fixed_dictionaries({}, optional={"abs": urls, "pdf": urls,
                                                            "code": urls})),
    "comment": field_value(any_text),
    "journal_ref": field_value(any_text),
    "sources": field_value(st.lists(any_text, max_size=2)),
}
paper_objects = st.fixed_dictionaries(
    {"title": paper_fields["title"]},
    optional={name: value for name, value in paper_fields.items() if name != "title"})

snapshot_objects = st.fixed_dictionaries(
    {"id": field_value(ids), "title": paper_fields["title"]},
    optional={
        "abstract": field_value(any_text),
        "authors": paper_fields["authors"],
        "authors_parsed": field_value(st.lists(st.lists(any_text, max_size=3), max_size=3)),
        "categories": paper_fields["categories"],
        "comments": field_value(any_text),
        "journal-ref": field_value(any_text),
        "doi": paper_fields["doi"],
        "update_date": field_value(date_strings),
        "versions": field_value(st.lists(
            st.fixed_dictionaries({}, optional={"version": any_text,
                                                "created": field_value(date_strings)}),
            max_size=3)),
    },
)


def json_line(value: object) -> bytes:
    """One JSON line as a dump would hold it (non-ASCII escaped, so surrogates survive)."""
    return json.dumps(value).encode()


lines = st.one_of(
    paper_objects.map(json_line),
    snapshot_objects.map(json_line),
    json_values.map(json_line),
    st.binary(max_size=60),
    st.sampled_from([b"[" * 50_000 + b"]" * 50_000, b'{"title": "T", "votes": ' + b"9" * 5000
                     + b"}", b'{"title": "T", "votes": 1e999}', b'{"title": "T", "votes": NaN}',
                     b"\xef\xbb\xbf{}", b"", b"\r"]),
)
