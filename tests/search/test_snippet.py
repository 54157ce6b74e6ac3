"""Snippets: which words light up and where the shown part of an abstract starts."""

from papertide.search._snippet import make_snippet


def lower(word: str) -> str | None:
    return None if word.lower() in {"the", "of"} else word.lower()


def test_only_whole_words_light_up_not_words_that_contain_them():
    snippet = make_snippet("We remodel the model; premodelling is not modelling.",
                           {"model", "modelling"}, lower)
    assert str(snippet) == ("We remodel the <b>model</b>; premodelling is not "
                            "<b>modelling</b>.")


def test_a_query_word_after_a_hyphen_or_a_digit_boundary_lights_up():
    snippet = make_snippet("A multi-model view of 3 model kinds.", {"model"}, lower)
    assert str(snippet) == "A multi-<b>model</b> view of 3 <b>model</b> kinds."


def test_the_window_starts_at_the_sentence_after_a_run_of_unusual_white_space():
    text = "word " * 60 + "end.\u2003\u00a0\t Model fits the data."
    snippet = str(make_snippet(text, {"model", "data"}, lower, max_chars=60))
    assert snippet == "… <b>Model</b> fits the <b>data</b>."


def test_the_window_starts_at_a_clause_when_that_shows_more_query_words():
    text = "word " * 60 + "so, model. Data at last " + "word " * 40
    snippet = str(make_snippet(text, {"model", "data"}, lower, max_chars=60))
    assert snippet.startswith("… <b>model</b>. <b>Data</b> at last word")


def test_a_sentence_that_starts_at_the_last_match_is_a_window_start():
    snippet = make_snippet("x " * 200 + "model. Data", {"model", "data"}, lower, max_chars=40)
    assert str(snippet) == "… <b>Data</b>"


def test_a_sentence_start_after_a_long_run_of_white_space_is_found():
    text = "word " * 60 + "end." + " " * 30 + "\u2003Model fits the data well."
    snippet = str(make_snippet(text, {"model"}, lower, max_chars=20))
    assert snippet.startswith("… <b>Model</b> fits")
