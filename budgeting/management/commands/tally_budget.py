import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from budgeting import rules, tallying

from ._budget import find_budget, find_heading


class Command(BaseCommand):
    help = "Count a budget with a rule; prints the selected project ids in selection order."

    def add_arguments(self, parser):
        parser.add_argument("budget", help="budget page id or slug")
        parser.add_argument("--rule", required=True, choices=rules.RULES)
        parser.add_argument("--json", action="store_true", help="print a JSON object")
        parser.add_argument("--heading", type=int, help="heading number (1 = the first)")

    def handle(self, *args, **options):
        page = find_budget(options["budget"])
        heading = find_heading(page, options["heading"])
        try:
            _result, data = tallying.compute(heading, options["rule"])
        except tallying.ResultPublished as published:
            self.stderr.write(_("This result is published; showing the stored one."))
            data = tallying.stored_data(published.args[0])
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            for label in data["selected"]:
                self.stdout.write(label)
