"""Fill a municipality's site to the size of a real city, in minutes (see home/scale.py)."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page, Site

from home.scale import CitySeeder, Sizes, size_fields


class Command(BaseCommand):
    help = "Adds a city's worth of citizens, proposals, supports, comments and ballots to a site."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site",
            default="changwon.localhost",
            help="Hostname of the municipality's site (default: the demo's 창원).",
        )
        defaults = Sizes()
        for name in size_fields():
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name)
            )
        parser.add_argument(
            "--no-search-index",
            action="store_true",
            help="Skip the admin search index entries of the new pages.",
        )
        parser.add_argument(
            "--json", action="store_true", help="End with one line of JSON naming what was made."
        )

    def handle(self, *args, **options):
        site = Site.objects.filter(hostname=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with hostname {options['site']} (run seed_demo first).")
        sizes = Sizes(**{name: options[name] for name in size_fields()})
        started = time.monotonic()
        try:
            city = CitySeeder(site, sizes, self.stdout).seed(
                search_index=not options["no_search_index"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        problems = [p for p in Page.find_problems() if p]
        if problems:
            raise CommandError(f"The page tree has problems: {problems}")
        self.stdout.write(f"seeded {site.hostname} in {time.monotonic() - started:.0f} s")
        if options["json"]:
            index = city.proposal_index
            self.stdout.write(
                json.dumps(
                    {
                        "site": site.hostname,
                        "proposal_index": index.url_path,
                        "hot_proposal": city.hot_proposal_id,
                        "big_debate": city.big_debate_id,
                        "closed_poll": city.closed_poll_id,
                        "open_poll": city.open_poll_id,
                        "first_user": city.first_user_id,
                        "users": city.user_count,
                        "budget": city.budget,
                    }
                )
            )
