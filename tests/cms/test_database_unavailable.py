"""The database lost in the middle of a request: a 503 page in Korean, nothing half-written.

The connection is cut for real: just before the request's statement on a given table, another
connection terminates this one's PostgreSQL backend (pg_terminate_backend), as a failover or
an operator would. The statement then fails as it would in production.
"""

import contextlib
import datetime

import psycopg
import pytest
import time_machine
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.utils import timezone, translation

from cms.mail import send_outbox_mail, sweep_outbox
from cms.middleware import database_unavailable_response
from cms.models import OutboxMail
from cms.views import server_error
from participation.models import (
    Comment,
    DiscussionSettings,
    Notification,
    ProposalPage,
    Support,
)
from participation.notify import notify
from tests.factories import UserFactory
from tests.participation.factories import publish, setup_municipality, submit

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="cuts a PostgreSQL connection (pg_terminate_backend)"
)
KOREAN_TITLE = "잠시 서비스를 이용할 수 없습니다"


@pytest.fixture(autouse=True)
def _forget_cached_site_paths():
    """Wagtail caches site root paths: none from an earlier test, none left to a later one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def town(province):
    return setup_municipality(province)


@pytest.fixture
def proposal(town, citizen):
    client = Client()
    return publish(client, town, submit(client, town, citizen))


def terminate(pid):
    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
    )
    with psycopg.connect(conninfo, autocommit=True) as other:
        # Waits (up to 5 s) until the backend is gone, so the next statement meets a dead one.
        assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]


@contextlib.contextmanager
def cut_before(statement):
    """Terminate this connection's backend just before its first statement containing
    `statement`; yields the statements it cut before (one at most)."""
    cut = []

    def wrapper(execute, sql, params, many, context):
        if not cut and statement in sql:
            cut.append(sql)
            terminate(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield cut
    connection.close()  # the test's own queries start on a new connection


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert KOREAN_TITLE in html
    assert "반쯤 저장되는 일은 없습니다" in html
    assert '<html lang="ko">' in html
    assert "Traceback" not in html


def test_the_unavailable_page_needs_no_database(db, django_assert_num_queries):
    with translation.override("ko"), django_assert_num_queries(0):
        response = database_unavailable_response()
    assert_unavailable_page(response)
    assert "/static/cms/css/site.css" in response.content.decode()


@pytest.mark.parametrize(
    ("error", "status"), [(OperationalError, 503), (InterfaceError, 503), (RuntimeError, 500)]
)
def test_the_error_handler_tells_a_lost_database_from_a_bug(rf, error, status):
    try:
        raise error("boom")
    except Exception:
        with translation.override("ko"):
            response = server_error(rf.get("/"))
    assert response.status_code == status
    assert (KOREAN_TITLE in response.content.decode()) == (status == 503)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_support_cut_mid_write_answers_503_and_counts_nothing(town, proposal):
    supporter = UserFactory()
    client = Client()
    client.force_login(supporter)
    url = town.url("support", proposal_id=proposal.pk)

    with cut_before('INSERT INTO "participation_support"') as cut:
        response = client.post(url, {"action": "support"}, HTTP_HOST=town.host)

    assert cut, "the support's INSERT was reached"
    assert_unavailable_page(response)
    assert not Support.objects.filter(proposal=proposal).exists()
    assert ProposalPage.objects.get(pk=proposal.pk).support_count == 0
    # The next request finds a new connection: the support counts, once.
    assert client.post(url, {"action": "support"}, HTTP_HOST=town.host).status_code == 302
    assert Support.objects.filter(proposal=proposal, user=supporter).count() == 1
    assert ProposalPage.objects.get(pk=proposal.pk).support_count == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_comment_cut_before_its_notification_leaves_neither(town, proposal):
    """The comment and the notification it owes the author commit together or not at all."""
    config = DiscussionSettings.for_site(town.site)
    config.writes_per_minute = config.new_account_writes_per_minute = 10  # sent twice below
    config.save()
    client = Client()
    client.force_login(UserFactory())
    url = proposal.url + proposal.reverse_subpage("comment_post")
    mails_before = OutboxMail.objects.count()

    with cut_before('INSERT INTO "participation_notification"') as cut:
        response = client.post(url, {"body": "끊기기 직전의 의견"}, HTTP_HOST=town.host)

    assert cut, "the comment was written and its notification was next"
    assert_unavailable_page(response)
    assert not Comment.objects.filter(page_id=proposal.pk).exists()
    assert not Notification.objects.filter(kind="comment").exists()
    assert OutboxMail.objects.count() == mails_before
    # Sent again, it is written whole: the comment, its notification and its mail.
    assert client.post(url, {"body": "다시 보낸 의견"}, HTTP_HOST=town.host).status_code == 302
    comment = Comment.objects.get(page_id=proposal.pk)
    assert Notification.objects.filter(kind="comment", object_id=comment.pk).count() == 1
    assert OutboxMail.objects.count() == mails_before + 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_page_whose_session_read_is_cut_answers_503(town, proposal):
    """Lost before the view (a middleware reading the session): the same page, not the 500."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())

    with cut_before('FROM "django_session"') as cut:
        response = client.get(proposal.url, HTTP_HOST=town.host)

    assert cut
    assert_unavailable_page(response)
    assert client.get(proposal.url, HTTP_HOST=town.host).status_code == 200


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_mail_whose_sent_mark_is_cut_is_not_sent_again(proposal, settings, mailoutbox):
    """The mail server took the message, then the connection went: the row is still marked
    sent, so neither the sweeper nor a requeued job sends it a second time."""
    if not settings.REDIS_URL:
        pytest.skip("without Redis the in-process queue sends the mail as it is queued")
    follower = UserFactory()
    notify([follower], "implementation", proposal, note="끊긴 뒤의 소식")
    told = Notification.objects.get(recipient=follower)
    row = OutboxMail.objects.get(params__notification_id=told.pk)

    with cut_before('SET "status" = %s, "sent_at" = %s') as cut:
        assert send_outbox_mail(row.pk) == "sent"

    assert cut
    assert OutboxMail.objects.get(pk=row.pk).status == "sent"
    later = timezone.now() + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 5)
    with time_machine.travel(later, tick=True):
        sweep_outbox(stale_seconds=0)
        assert send_outbox_mail(row.pk) == "already handled"
    assert [m.to for m in mailoutbox] == [[follower.email]]
