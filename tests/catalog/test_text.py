from papertide.catalog import parse_arxiv_id, readable, title_key


def test_latex_debris_becomes_readable_text():
    assert readable('T\\"ULU 2+DPO reaches 90\\% on Ref\\&NL') == "TÜLU 2+DPO reaches 90% on Ref&NL"
    assert readable("{\\em mirror descent} and \\textbf{Lion}") == "mirror descent and Lion"
    assert readable("models~(LLMs) e.g.\\ this") == "models (LLMs) e.g. this"
    assert readable("math $x^2$ stays") == "math $x^2$ stays"


def test_arxiv_ids_in_every_spelling():
    assert parse_arxiv_id("arXiv:2503.11731v3") == ("2503.11731", 3)
    assert parse_arxiv_id("https://arxiv.org/abs/2503.11731") == ("2503.11731", None)
    assert parse_arxiv_id("https://arxiv.org/pdf/2503.11731v2.pdf") == ("2503.11731", 2)
    assert parse_arxiv_id("hep-th/9901001v1") == ("hep-th/9901001", 1)
    assert parse_arxiv_id("not-an-id") is None


def test_title_key_folds_case_accents_and_punctuation():
    assert title_key("Café:  Über-Models!") == title_key("cafe uber models")
