"""The mail outbox on the embedded stack: claims, leases, the sweeper and its cron entry.

The fault drills (tests/drills) run the same mechanism against a real Redis and workers.
"""

import datetime
import io

import fakeredis
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from rq.cron import CronScheduler

from cms.mail import queue_mail, send_outbox_mail
from cms.models import OutboxMail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ACCOUNT_MAIL = "cms.adapters.build_account_mail"


def _row(user):
    """A row whose job was lost: written, never queued (its commit callbacks never ran)."""
    (pk,) = queue_mail(
        ACCOUNT_MAIL,
        {
            "template_prefix": "account/email/password_reset_key",
            "email": user.email,
            "site_id": None,
            "language": "ko",
            "context": {},
            "user_id": user.pk,
        },
    )
    return OutboxMail.objects.get(pk=pk)


def sweep(run_jobs, **moved):
    """The sweeper, some time from now; then the jobs it queued run (a worker, with Redis)."""
    out = io.StringIO()
    with run_jobs(), time_machine.travel(timezone.now() + datetime.timedelta(**moved), tick=True):
        call_command("send_pending_mail", stdout=out)
    return out.getvalue()


def test_the_sweeper_sends_what_a_lost_job_left_and_only_once(province, run_jobs):
    user = UserFactory()
    row = _row(user)
    assert sweep(run_jobs, seconds=10).startswith(
        "queued 0"
    )  # not stale yet: its job may be on its way
    assert mail.outbox == []
    assert sweep(run_jobs, minutes=3).startswith("queued 1")
    assert [message.to for message in mail.outbox] == [[user.email]]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert sweep(run_jobs, minutes=10).startswith("queued 0")
    assert send_outbox_mail(row.pk) == "already handled"
    assert len(mail.outbox) == 1


def test_a_dead_workers_claim_expires_with_its_lease(province, run_jobs):
    user = UserFactory()
    row = _row(user)
    # A worker claimed it and died before sending.
    OutboxMail.objects.filter(pk=row.pk).update(
        status="sending", claimed_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert send_outbox_mail(row.pk) == "already handled"
    sweep(run_jobs, minutes=4)
    assert mail.outbox == []
    sweep(run_jobs, minutes=6)
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert OutboxMail.objects.get(pk=row.pk).status == "sent"


def test_a_mail_for_a_deleted_account_is_skipped(province):
    user = UserFactory()
    row = _row(user)
    user.delete()
    assert send_outbox_mail(row.pk) == "skipped"
    assert mail.outbox == []


def test_rq_cron_runs_the_sweeper_every_minute():
    scheduler = CronScheduler(connection=fakeredis.FakeRedis())
    scheduler.load_config_from_file("cms.cron")
    jobs = {job.func_name: (job.queue_name, job.interval) for job in scheduler.get_jobs()}
    assert jobs["cms.mail.sweep_outbox"] == ("mail", 60)
    # Apps add theirs from their own schedule.py: the open data bundles, daily.
    assert jobs["opendata.bundle.rebuild_all"] == ("default", 24 * 3600)
    # and the dashboards' weekly figures, recounted daily.
    assert jobs["home.schedule.snapshot_dashboards"] == ("default", 24 * 3600)
