"""Files that cannot be read to their end: every complete record before the problem is
kept, and the problem is named with the file (`FILE: truncated gzip stream after line N`)."""

import gzip
import json

import pytest

from papertide.catalog import Paper
from papertide.sources import Rejected, detect_format, read_file


def _records(n):
    return b"".join(json.dumps({"title": f"Paper {i}", "abstract": "x" * 50}).encode() + b"\n"
                    for i in range(n))


def _split(items):
    items = list(items)
    papers = [i for i in items if isinstance(i, Paper)]
    problems = [i for i in items if isinstance(i, Rejected)]
    return papers, problems


@pytest.mark.parametrize("fmt", ["auto", "jsonl"])
def test_a_truncated_gzip_keeps_every_complete_record_and_names_the_cut(tmp_path, fmt):
    whole = gzip.compress(_records(1000))
    path = tmp_path / "papers.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    papers, problems = _split(read_file(path, fmt))
    assert len(papers) > 400
    assert [str(p) for p in problems] == [
        f"{path}: truncated gzip stream after line {len(papers)}"]
    assert problems[0].whole_file
    assert papers[-1].title == f"Paper {len(papers) - 1}"


def test_a_truncated_gzip_listing_keeps_its_complete_pairs(tmp_path):
    text = "".join(f"Title {i}\nAbstract {i}.\n" for i in range(2000)).encode()
    whole = gzip.compress(text)
    path = tmp_path / "listing.txt.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    papers, problems = _split(read_file(path, "listing"))
    assert len(papers) > 100
    assert "truncated gzip stream after line" in str(problems[0])


def test_a_corrupt_gzip_stream_is_named(tmp_path):
    whole = bytearray(gzip.compress(_records(200)))
    whole[-8] ^= 0xFF  # the stream's checksum no longer matches
    path = tmp_path / "papers.jsonl.gz"
    path.write_bytes(bytes(whole))
    papers, problems = _split(read_file(path, "jsonl"))
    assert len(papers) == 200 and len(problems) == 1 and problems[0].whole_file
    assert problems[0].reason.startswith("corrupt gzip stream after line 200: CRC check failed")


def test_a_gz_that_is_not_gzip_says_so(tmp_path):
    path = tmp_path / "papers.jsonl.gz"
    path.write_bytes(_records(3))
    papers, problems = _split(read_file(path))
    assert papers == []
    assert [str(p) for p in problems] == [
        f"{path}: not a gzip file (it does not start with gzip's magic bytes)"]


def test_a_gzip_file_is_known_by_its_bytes_not_its_name(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_bytes(gzip.compress(_records(3)))
    assert detect_format(path) == "jsonl"
    assert len(list(read_file(path))) == 3


@pytest.mark.parametrize("content", [b"", gzip.compress(b"", mtime=0)], ids=["plain", "gzip"])
def test_an_empty_file_says_so(tmp_path, content):
    path = tmp_path / ("empty.jsonl.gz" if content else "empty.jsonl")
    path.write_bytes(content)
    assert [str(i) for i in read_file(path)] == [f"{path}: empty file: no records in it"]


def test_a_directory_says_so(tmp_path):
    assert [str(i) for i in read_file(tmp_path, "jsonl")] == [
        f"{tmp_path}: is a directory, not a file"]


def test_json_too_deep_or_too_long_to_convert_rejects_only_its_line(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n"
                     + b'{"title": "T", "votes": ' + b"9" * 5000 + b"}\n"
                     + b'{"title": "Good"}\n')
    papers, problems = _split(read_file(path, "jsonl"))
    assert [p.title for p in papers] == ["Good"]
    assert [(p.line, "malformed JSON" in p.reason) for p in problems] == [(1, True), (2, True)]
