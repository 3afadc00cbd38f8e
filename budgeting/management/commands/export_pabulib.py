from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgeting import gate
from budgeting.exchange import export_text

from ._budget import find_budget, find_heading


class Command(BaseCommand):
    help = "Write a budget heading in the pabulib format to standard output."

    def add_arguments(self, parser):
        parser.add_argument("budget", help="budget page id or slug")
        parser.add_argument("--heading", type=int, help="heading number (1 = the first)")
        parser.add_argument(
            "--before-publishing",
            action="store_true",
            help="export online ballots whose result is not published yet (staff review only)",
        )

    def handle(self, *args, **options):
        page = find_budget(options["budget"])
        heading = find_heading(page, options["heading"])
        if not gate.exportable(heading) and not options["before_publishing"]:
            raise CommandError(
                _(
                    "The result of this heading is not published, so its votes are not "
                    "exported. Staff reviewing the count may add --before-publishing."
                )
            )
        result = gate.published_result(heading)
        self.stdout.write(export_text(heading, result.selected if result else None), ending="")
