from django.core.management.base import BaseCommand

from budgeting.exchange import export_text
from budgeting.models import BudgetResult

from ._budget import find_budget, find_heading


class Command(BaseCommand):
    help = "Write a budget heading in the pabulib format to standard output."

    def add_arguments(self, parser):
        parser.add_argument("budget", help="budget page id or slug")
        parser.add_argument("--heading", type=int, help="heading number (1 = the first)")

    def handle(self, *args, **options):
        page = find_budget(options["budget"])
        heading = find_heading(page, options["heading"])
        result = BudgetResult.objects.published().filter(heading=heading).first()
        self.stdout.write(export_text(heading, result.selected if result else None), ending="")
