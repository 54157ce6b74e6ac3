"""When editions happen: each reader at their own local hour, on arXiv's calendar."""

from datetime import date, datetime, timedelta

from papertide.catalog import is_announcement_day, last_announcement
from papertide.digest import edition_key, is_due
from papertide.jobs import Jobs
from tests.helpers import add_reader


def test_readers_in_utc_plus_13_and_utc_minus_11_get_their_own_hour(mail_services):
    tonga = add_reader(
        mail_services, "tonga@example.org", timezone="Pacific/Tongatapu", send_hour=7
    )
    samoa = add_reader(mail_services, "pago@example.org", timezone="Pacific/Pago_Pago", send_hour=7)
    start = datetime(2026, 11, 25, 0, 0)
    due = {
        (r.email, h): is_due(r, start + timedelta(hours=h))
        for r in (tonga, samoa)
        for h in range(48)
    }
    # 07:00 in UTC+13 is 18:00 UTC the day before; 07:00 in UTC-11 is 18:00 UTC the same day.
    assert [h for h in range(48) if due[("tonga@example.org", h)]] == [18, 42]
    assert [h for h in range(48) if due[("pago@example.org", h)]] == [18, 42]
    at = start + timedelta(hours=18)
    assert edition_key(tonga, at) == "2026-11-26" and edition_key(samoa, at) == "2026-11-25"
    # The scheduler enqueues each one delivery at that hour and nothing an hour earlier.
    jobs = Jobs(mail_services, immediate=True)
    assert jobs.enqueue_due(at - timedelta(hours=1)) == 0
    assert jobs.enqueue_due(at) == 2
    assert jobs.enqueue_due(at) == 0  # already delivered: the next minute's tick does nothing
    assert sorted(m["To"] for m in mail_services.smtp.recorder.messages) == [
        "pago@example.org",
        "tonga@example.org",
    ]


def test_arxiv_calendar():
    assert [is_announcement_day(date(2026, 11, d)) for d in range(22, 29)] == \
        [True, True, True, True, False, False, False]  # Sun–Wed; Thanksgiving Thu 26; Fri; Sat
    saturday_morning = datetime(2026, 11, 28, 12, 0)
    assert last_announcement(saturday_morning) == datetime(2026, 11, 26, 1, 0)  # Wed 20:00 EST
    monday_morning = datetime(2026, 11, 30, 12, 0)
    assert last_announcement(monday_morning) == datetime(2026, 11, 30, 1, 0)  # Sun 20:00 EST


def test_no_edition_after_a_day_without_announcement_and_monday_covers_the_gap(mail_services):
    reader = add_reader(mail_services, "weekend@example.org", "language models", per_digest=5)
    digests = mail_services.digests
    outcomes = [digests.run(datetime(2026, 11, day, 12), everyone=True) for day in range(25, 31)]
    # Wed and Thu follow Tue's and Wed's announcements; Thanksgiving (Thu) and Friday have
    # none, so Fri, Sat and Sun mornings have no edition; Monday follows Sunday's.
    assert outcomes == [{"sent": 1}, {"sent": 1}, {"skipped": 1}, {"skipped": 1}, {"skipped": 1},
                        {"sent": 1}]
    assert len(mail_services.smtp.recorder.to(reader.email)) == 3


def test_nothing_new_is_skipped_not_sent(mail_services):
    add_reader(mail_services, "all@example.org", per_digest=50)
    digests = mail_services.digests
    for day in range(6):  # 255 papers, 50 a day: the sixth edition has only 5 left
        digests.run(datetime(2026, 11, 2, 12) + timedelta(days=day), everyone=True)
    sent = len(mail_services.smtp.recorder.messages)
    assert digests.run(datetime(2026, 11, 10, 12), everyone=True) == {"skipped": 1}
    assert len(mail_services.smtp.recorder.messages) == sent


def test_with_skipping_off_quiet_days_still_bring_unseen_trending_papers(mail_services):
    mail_services.settings.skip_empty_digest = False
    add_reader(mail_services, "weekend@example.org", per_digest=5)
    digests = mail_services.digests
    assert digests.run(datetime(2026, 11, 27, 12), everyone=True) == {"sent": 1}  # Friday
    assert digests.run(datetime(2026, 11, 28, 12), everyone=True) == {
        "sent": 1
    }  # Saturday: no announcement
