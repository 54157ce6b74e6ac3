"""A search page asked for an order or mode that does not exist says which words it knows,
so a reader who typed `sort=newest` into the address learns the word is `new`."""


def test_an_unknown_sort_or_mode_names_the_choices(client):
    answer = client.get("/search", params={"q": "model merging", "sort": "newest"})
    assert answer.status_code == 400
    assert "sort must be one of relevance, new, trending, not &#39;newest&#39;" in answer.text
    answer = client.get("/search", params={"q": "model merging", "mode": "bm25"})
    assert answer.status_code == 400
    assert "mode must be one of keyword, semantic, hybrid, not &#39;bm25&#39;" in answer.text
    assert client.get("/search", params={"q": "model merging", "sort": "new"}).status_code == 200
