from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from opendata.bundle import rebuild


class Command(BaseCommand):
    help = "Build the open data bundle of every municipality (or one) now, in this process."

    def add_arguments(self, parser):
        parser.add_argument("--site", help="hostname of one municipality's site")

    def handle(self, *args, **options):
        sites = Site.objects.order_by("pk")
        if options["site"]:
            sites = sites.filter(hostname=options["site"])
            if not sites.exists():
                raise CommandError(f"No site with the hostname {options['site']}.")
        for site in sites:
            rebuild(site.pk)
            self.stdout.write(f"{site.hostname}: built")
