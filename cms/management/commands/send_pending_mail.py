"""Queue again the mails a lost job, a dead worker or a Redis outage left behind.

rq's cron runs it every minute (cms/cron.py); a system cron can run it too. With Redis
unreachable it sends the mails itself.
"""

from django.core.management.base import BaseCommand

from cms.mail import sweep_outbox
from cms.models import OutboxMail


class Command(BaseCommand):
    help = "Queue again (or send, with Redis down) mails pending longer than --stale seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale",
            type=int,
            default=None,
            help="Seconds a pending mail waits before it is queued again (OUTBOX_STALE_SECONDS).",
        )

    def handle(self, *args, stale=None, **options):
        queued, sent = sweep_outbox(stale_seconds=stale)
        waiting = OutboxMail.objects.filter(
            status__in=[OutboxMail.Status.PENDING, OutboxMail.Status.SENDING]
        ).count()
        failed = OutboxMail.objects.filter(status=OutboxMail.Status.FAILED).count()
        self.stdout.write(f"queued {queued}, sent here {sent}, waiting {waiting}, gave up {failed}")
