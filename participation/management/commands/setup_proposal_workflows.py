from django.core.management.base import BaseCommand
from wagtail.models import Site

from participation.workflow import ensure_workflow


class Command(BaseCommand):
    help = "Create each municipality's moderator and committee groups and proposal workflow."

    def handle(self, *args, **options):
        for site in Site.objects.all():
            workflow = ensure_workflow(site)
            self.stdout.write(f"{site.hostname}: {workflow.name}")
