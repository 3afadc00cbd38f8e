"""Delete residency verifications past their retention period, and old requests with any document.

Run daily (cron or a scheduled task): `python manage.py purge_verifications`.
"""

from django.core.management.base import BaseCommand

from voting import verification


class Command(BaseCommand):
    help = "Delete expired residency verifications and old verification requests."

    def handle(self, *args, **options):
        expired, requests = verification.purge()
        self.stdout.write(f"{expired} verifications and {requests} requests deleted.")
