"""Control characters other than tab and newline never get into the catalog's text: a
terminal escape in a title would recolour the CLI's table, a bell ring, a C1 code hide
text; they are stripped at the door (a NUL is still refused, and ids with any control
character are refused, as before)."""

from papertide.catalog import Paper

ESC_TITLE = "Red \x1b[31mAlert\x1b[0m: bells\x07 and C1\x9b codes"


def test_control_characters_are_stripped_from_text_at_the_door(services):
    catalog = services.catalog
    result = catalog.upsert([Paper(
        title=ESC_TITLE, abstract="line one\r\nline two\tand a tab\u2028after\x0c",
        authors=["Ada \x1bLovelace"], categories=["cs.LG\x08"], comment="v2\x1b]0;pwned\x07",
        sources=["jsonl"], arxiv_id="2503.00001")])
    assert result.rejected == []
    stored = catalog.get("2503.00001")
    assert stored.title == "Red [31mAlert[0m: bells and C1 codes"
    assert stored.abstract == "line one\nline two\tand a tab\nafter"
    assert stored.authors == ["Ada Lovelace"] and stored.categories == ["cs.LG"]
    assert stored.comment == "v2]0;pwned"
    refused = catalog.upsert([Paper(title="NUL \x00 inside", abstract="", sources=["jsonl"])])
    assert len(refused.rejected) == 1 and "NUL" in refused.rejected[0][1]
