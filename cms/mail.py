"""Mail through an outbox: written with the event, built and sent by a job, once.

`queue_mail` writes an OutboxMail row (ids and names, never a body, a link or a secret) in
the caller's transaction and queues a job carrying only the row's id after the commit.
The job (`send_outbox_mail`) claims the row with a lease, builds the message at sending
time through the row's builder, sends it and marks it sent. A job that runs twice (a
retry, a requeue from the dashboard, the sweeper) finds the row claimed or sent and sends
nothing; a worker that dies mid-send leaves a lease that expires, and the sweeper
(`sweep_outbox`, run every minute) queues the row again. The only window for a duplicate
is between the mail server accepting one message and the row being marked sent.
"""

import logging
import re
import time
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from cms.jobs import get_queue
from cms.models import OutboxMail

logger = logging.getLogger(__name__)

Status = OutboxMail.Status
MAIL_QUEUE = "mail"
JOB_TIMEOUT = 60  # shorter than the lease, so a live worker's claim never expires under it
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class MailNotSent(Exception):
    """A mail's sending failed; the message names the outbox row only (no address, no body)."""


def single_line(text, limit=200):
    """One safe header line: line breaks and other control characters become spaces."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())[:limit]


def mail_builder(func):
    """Mark func(**params) -> EmailMessage | None as a builder that outbox rows may name."""
    func.outbox_builder = True
    return func


def _builder(path):
    func = import_string(path)
    if not getattr(func, "outbox_builder", False):
        raise MailNotSent(f"{path} is not a mail builder")
    return func


def _job_id(pk):
    return f"mail-{pk}"


def _enqueue(pks):
    """Queue one job per row; returns the ids Redis could not take (they wait for the sweeper)."""
    queue = get_queue(MAIL_QUEUE)
    retry = Retry(max=3, interval=settings.OUTBOX_RETRY_INTERVALS)
    for index, pk in enumerate(pks):
        try:
            queue.enqueue(
                send_outbox_mail,
                pk,
                job_id=_job_id(pk),
                retry=retry,
                job_timeout=JOB_TIMEOUT,
                result_ttl=settings.OUTBOX_RESULT_TTL,
            )
        except (RedisError, OSError) as error:
            logger.warning(
                "Redis refused mail jobs (%s); %s mails wait for the sweeper",
                error.__class__.__name__,
                len(pks) - index,
            )
            return list(pks[index:])
    return []


def queue_mails(items):
    """Write outbox rows for [(builder, params, dedupe_key or None)] and queue them after commit.

    Rows whose dedupe_key already exists are not written again. Returns the ids queued.
    """
    now = timezone.now()
    rows = [
        OutboxMail(builder=builder, params=params, dedupe_key=key, created_at=now, enqueued_at=now)
        for builder, params, key in items
    ]
    if not rows:
        return []
    keyed = [row for row in rows if row.dedupe_key]
    plain = [row for row in rows if not row.dedupe_key]
    pks = [row.pk for row in OutboxMail.objects.bulk_create(plain)] if plain else []
    if keyed:
        OutboxMail.objects.bulk_create(keyed, ignore_conflicts=True)
        pks += OutboxMail.objects.filter(
            dedupe_key__in=[row.dedupe_key for row in keyed], status=Status.PENDING
        ).values_list("pk", flat=True)
    pks = sorted(set(pks))
    transaction.on_commit(lambda: _enqueue(pks), robust=True)
    return pks


def queue_mail(builder, params, dedupe_key=None):
    return queue_mails([(builder, params, dedupe_key)])


def send_outbox_mail(outbox_id):
    """The job: claim the row, build the message now, send it, mark it sent."""
    now = timezone.now()
    claimed = OutboxMail.objects.filter(pk=outbox_id, status=Status.PENDING).update(
        status=Status.SENDING,
        claimed_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "already handled"
    row = OutboxMail.objects.get(pk=outbox_id)
    try:
        message = _builder(row.builder)(**row.params)
        if message is not None:
            message.subject = single_line(message.subject)
            message.send()
    except Exception as error:
        gave_up = row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        OutboxMail.objects.filter(pk=outbox_id, status=Status.SENDING).update(
            status=Status.FAILED if gave_up else Status.PENDING,
            claimed_until=None,
            enqueued_at=timezone.now(),
            last_error=f"{error.__class__.__name__}"[:200],
        )
        logger.warning("Mail %s not sent (%s)", outbox_id, error.__class__.__name__)
        raise MailNotSent(f"mail {outbox_id}: {error.__class__.__name__}") from None
    _record_sent(
        outbox_id,
        status=Status.SENT if message is not None else Status.SKIPPED,
        sent_at=timezone.now(),
        claimed_until=None,
    )
    return "sent" if message is not None else "skipped"


def _record_sent(outbox_id, **fields):
    """Mark the row sent, once more on a new connection if the database connection was cut.

    The mail server has the message by now: a row left claimed would be sent again when its
    lease expires, so a connection lost here (a failover, cut connections) is worth one retry.
    """
    rows = OutboxMail.objects.filter(pk=outbox_id)
    try:
        rows.update(**fields)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        logger.warning("Mail %s sent; marking it sent again on a new connection", outbox_id)
        connection.close()
        time.sleep(1)
        rows.update(**fields)


def _waiting_in_queue(queue, pk):
    """Whether the row's job is still on its way (in the queue, or scheduled for a retry)."""
    try:
        status = Job.fetch(_job_id(pk), connection=queue.connection).get_status(refresh=False)
    except NoSuchJobError:
        return False
    if status == JobStatus.QUEUED:
        # An emptied queue leaves its jobs' records behind: look in the queue itself.
        return queue.get_job_position(_job_id(pk)) is not None
    return status in (JobStatus.SCHEDULED, JobStatus.DEFERRED)


def sweep_outbox(stale_seconds=None, limit=5000):
    """Queue again what was lost: rows whose claim expired and rows pending for too long.

    With Redis unreachable it sends them itself. Returns (queued, sent here).
    """
    stale = timedelta(
        seconds=settings.OUTBOX_STALE_SECONDS if stale_seconds is None else stale_seconds
    )
    now = timezone.now()
    expired = list(
        OutboxMail.objects.filter(status=Status.SENDING, claimed_until__lt=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    OutboxMail.objects.filter(pk__in=expired, status=Status.SENDING, claimed_until__lt=now).update(
        status=Status.PENDING, claimed_until=None
    )
    pending = list(
        OutboxMail.objects.filter(status=Status.PENDING, enqueued_at__lte=now - stale)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    pks = sorted(set(expired) | set(pending))
    if not pks:
        return 0, 0
    queue = get_queue(MAIL_QUEUE)
    try:
        pks = [pk for pk in pks if pk in expired or not _waiting_in_queue(queue, pk)]
    except (RedisError, OSError):
        pass
    OutboxMail.objects.filter(pk__in=pks).update(enqueued_at=now)
    left = _enqueue(pks)
    sent_here = 0
    for pk in left:
        try:
            if send_outbox_mail(pk) == "sent":
                sent_here += 1
        except MailNotSent:
            continue
    return len(pks) - len(left), sent_here
