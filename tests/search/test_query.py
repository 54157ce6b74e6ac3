"""papertide's own query language."""

from papertide.search._query import Clause, parse, positive_text


def test_words_phrases_exclusions_and_fields():
    assert parse(
        'sample "exact phrase" -survey +rl ti:alignment au:"Yann LeCun" cat:cs.LG id:2503.11731'
    ) == [
        Clause("sample"),
        Clause("exact phrase", phrase=True),
        Clause("survey", occur="must_not"),
        Clause("rl", occur="must"),
        Clause("alignment", "title"),
        Clause("Yann LeCun", "authors", phrase=True),
        Clause("cs.LG", "categories"),
        Clause("2503.11731", "id"),
    ]


def test_unbalanced_quotes_and_unknown_prefixes_are_text():
    assert parse('"unbalanced phrase') == [Clause("unbalanced phrase", phrase=True)]
    assert parse("C:drive http://x") == [Clause("C:drive"), Clause("http://x")]


def test_positive_text_drops_exclusions_and_codes():
    assert (
        positive_text('merge models -survey cat:cs.LG "no retraining"')
        == "merge models no retraining"
    )
