from django.core.management.base import BaseCommand

from participation.workflow import process_due


class Command(BaseCommand):
    help = "Move on every collecting proposal whose window closed or which reached its threshold."

    def handle(self, *args, **options):
        moved = process_due()
        self.stdout.write(f"{moved} proposal(s) moved on.")
