"""Math in a digest: both parts carry it as readable Unicode (mail clients mostly draw no
MathML), and the HTML part escapes whatever markup an abstract holds."""

from datetime import datetime

from papertide.catalog import Paper
from papertide.db.tables import papers
from tests.helpers import add_reader

NOW = datetime(2026, 11, 24, 12, 0)


def test_a_digest_reads_math_as_unicode(mail_services):
    mail_services.catalog.upsert([Paper(
        title="Di$\\mathtt{[M]}$O: Distilling Masked Diffusion Models into One-step Generator",
        abstract="Any mechanism must use at least $\\Omega(n^2 d)$ memory <script>x</script>.",
        arxiv_id="2503.15457", categories=["cs.LG"])])
    with mail_services.catalog.engine.begin() as conn:
        conn.execute(papers.update().values(first_seen=datetime(2026, 11, 20)))
    mail_services.search.catch_up()
    add_reader(mail_services, "ada@example.org", "masked diffusion one-step generator")
    assert mail_services.digests.run(NOW, everyone=True) == {"sent": 1}
    (msg,) = mail_services.smtp.recorder.messages
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Di[M]O: Distilling Masked Diffusion" in part
        assert "at least Ω(n²d) memory" in part
        assert "\\mathtt" not in part and "$\\Omega" not in part
    assert "&lt;script&gt;" in html and "<script>" not in html
