"""Count the dashboards' last finished weeks again, for every municipality (run daily)."""

from django.core.management.base import BaseCommand
from wagtail.models import Site

from home.dashboard import refresh_weekly_figures


class Command(BaseCommand):
    help = "Recounts the last finished weeks of every municipality's dashboard."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=2)

    def handle(self, *args, **options):
        for site in Site.objects.order_by("pk"):
            refresh_weekly_figures(site, weeks=options["weeks"])
            self.stdout.write(f"{site.hostname}: {options['weeks']} weeks counted")
