from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import transaction

from home import demo


class Command(BaseCommand):
    help = "Build the demo municipalities (a province and one of its cities) with content in every part. Safe to run twice."

    # Each app that has demo content offers `<app>.demo.seed(sites)`.
    app_demos = ["participation", "budgeting", "voting"]

    @transaction.atomic
    def handle(self, *args, **options):
        sites = demo.seed()
        for app in self.app_demos:
            if find_spec(f"{app}.demo") is not None:
                import_module(f"{app}.demo").seed(sites)
        for site in sites.values():
            self.stdout.write(f"{site.site_name}: http://{site.hostname}:8000/")
        self.stdout.write(f"Demo accounts use the password {demo.DEMO_PASSWORD}")
