from django.core.management.base import BaseCommand

from voting import secrecy


class Command(BaseCommand):
    help = (
        "Open the sealed ballots of every contest that has closed (polls, budgets): decrypt, "
        "shuffle, store anonymously, destroy the envelopes. Safe to run at any time."
    )

    def handle(self, *args, **options):
        opened = secrecy.open_due()
        self.stdout.write(f"{opened} ballot box(es) opened.")
