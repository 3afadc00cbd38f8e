from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import transaction

from cms.links import site_address
from home import demo


class Command(BaseCommand):
    help = "Build the demo municipalities (a province and one of its cities) with content in every part. Safe to run twice."

    # Each app that has demo content offers `<app>.demo.seed(sites)`, and may offer
    # `prepare(sites)`, run before any app seeds (voting verifies the demo residents first,
    # whose supports the participation demo gives).
    app_demos = ["participation", "budgeting", "voting"]

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="The port the demo is served on; the sites are registered with it (default 8000).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        sites = demo.seed(port=options["port"])
        demos = [import_module(f"{app}.demo") for app in self.app_demos if find_spec(f"{app}.demo")]
        for module in demos:
            if hasattr(module, "prepare"):
                module.prepare(sites)
        for app in self.app_demos:
            if find_spec(f"{app}.demo") is not None:
                import_module(f"{app}.demo").seed(sites)
        for site in sites.values():
            self.stdout.write(f"{site.site_name}: {site_address(site)}/")
        self.stdout.write(f"Demo accounts use the password {demo.DEMO_PASSWORD}")
