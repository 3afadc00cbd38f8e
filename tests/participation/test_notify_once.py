"""One notification and one mail per person and event, even when the event is told at once
from many connections (run on PostgreSQL: DATABASE_URL=postgres://...)."""

import threading

import pytest
from django.db import connection, transaction

from cms.models import OutboxMail
from participation.models import Notification
from participation.notify import notify
from tests.factories import UserFactory, make_municipality
from tests.participation.discussion import make_debate
from tests.participation.factories import ensure_page_tree

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises writers; run with DATABASE_URL=postgres://... (CI does)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_an_event_told_ten_times_at_once_reaches_each_person_once():
    ensure_page_tree()
    site = make_municipality("gyeongnam.test", "경상남도", kind="province", default=True)
    debate = make_debate(site)
    people = [UserFactory() for _ in range(20)]
    barrier = threading.Barrier(10)
    errors = []

    def tell():
        try:
            barrier.wait()
            with transaction.atomic():
                notify(people, "debate_pending", debate)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tell) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notification.objects.count() == 20
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        person.pk for person in people
    )
    assert OutboxMail.objects.count() == 20
