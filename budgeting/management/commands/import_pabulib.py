from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from budgeting.exchange import import_file
from budgeting.pabulib import PabulibError


class Command(BaseCommand):
    help = (
        "Create a participatory budget from a pabulib file; the last line printed is its page id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--site", help="hostname of the municipality's site (default site if absent)"
        )
        parser.add_argument("--parent", type=int, help="id of the page to create the budget under")
        parser.add_argument("--title", help="title of the budget page")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error}
            ) from error
        parent = self._parent(options)
        try:
            page = import_file(data, parent, title=options["title"])
        except PabulibError as error:
            raise CommandError(
                "\n".join([_("%(file)s was not imported:") % {"file": path.name}, *error.lines()])
            ) from error
        heading = page.headings.get()
        self.stdout.write(
            _("Imported “%(title)s”: %(projects)s projects, %(ballots)s ballots.")
            % {
                "title": page.title,
                "projects": heading.projects.count(),
                "ballots": heading.ballots.count(),
            }
        )
        self.stdout.write(str(page.pk))

    def _parent(self, options):
        if options["parent"]:
            page = Page.objects.filter(pk=options["parent"]).first()
            if page is None:
                raise CommandError(_("No page with id %(id)s.") % {"id": options["parent"]})
            return page.specific
        if options["site"]:
            site = Site.objects.filter(hostname=options["site"]).first()
            if site is None:
                raise CommandError(_("No site with hostname %(host)s.") % {"host": options["site"]})
        else:
            site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
            if site is None:
                raise CommandError(_("There is no site yet; run migrate and create one first."))
        return site.root_page.specific
