from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import PageBody


class HomePage(Page):
    """A municipality's front page: the root of its site."""

    intro = models.TextField(_("introduction"), blank=True, max_length=400)
    body = StreamField(PageBody(), blank=True, verbose_name=_("body"))
    show_member_municipalities = models.BooleanField(
        _("list the province's cities and counties"),
        default=True,
        help_text=_("On a province's site, show links to the sites of its cities and counties."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("show_member_municipalities"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.ContentPage",
        "participation.ProposalIndexPage",
        "participation.DebateIndexPage",
        "voting.PollIndexPage",
        "budgeting.BudgetPage",
    ]
    template = "home/home_page.html"
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("municipality home page")


class ContentPage(Page):
    """A general page built from blocks: about, how it works, privacy notice and the like."""

    intro = models.TextField(_("introduction"), blank=True, max_length=400)
    body = StreamField(PageBody(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["home.HomePage", "home.ContentPage"]
    subpage_types = ["home.ContentPage"]
    template = "home/content_page.html"

    class Meta:
        verbose_name = _("content page")


class WeeklyFigures(models.Model):
    """A municipality's dashboard figures for one finished week (Monday to Sunday), kept so
    the dashboard never counts a city's millions of rows again (home/dashboard.py)."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week of"))
    active = models.PositiveIntegerField(_("active participants"), default=0)
    comments = models.PositiveIntegerField(_("comments"), default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("weekly figures")
        constraints = [
            models.UniqueConstraint(fields=["site", "week"], name="home_weekly_figures_once")
        ]

    def __str__(self):
        return f"{self.site_id} {self.week}"
