"""Debates (토론): a municipality's index of debates and the debate page with its discussion.

Citizens open debates (straight away, or after a moderator publishes them, per site);
staff open official debates on a question they pose, with background built from blocks
and an open and close date. Staff close a debate with a written conclusion.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.blocks import CONTENT_BLOCKS
from cms.page_state import PageState
from participation.models.comments import Commentable, apply_vote


class DebateIndexPage(RoutablePageMixin, Page):
    """A municipality's debates: filters, sorts and search; and where citizens open a debate."""

    intro = models.TextField(_("introduction"), blank=True, max_length=600)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["participation.DebatePage"]
    template = "participation/debate_index_page.html"
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("debates index page")

    def get_context(self, request, *args, **kwargs):
        from participation.debate_views import debate_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(debate_index_context(self, request))
        return context

    @path("start/", name="start")
    def start(self, request):
        from participation.debate_views import start_debate

        return start_debate(request, self)


class DebateQuerySet(PageQuerySet):
    def visible(self):
        return self.live().filter(hidden=False)

    def open_at(self, moment):
        return self.filter(closed_at__isnull=True).filter(
            Q(opens_at__isnull=True) | Q(opens_at__lte=moment),
            Q(closes_at__isnull=True) | Q(closes_at__gt=moment),
        )

    def closed_at_time(self, moment):
        return self.filter(Q(closed_at__isnull=False) | Q(closes_at__lte=moment))


DebateManager = PageManager.from_queryset(DebateQuerySet)


class DebatePage(PageState, Commentable, Page):
    """One debate: a question, its background, up and down votes, and the threaded discussion.

    Votes, counters, hiding and the closing conclusion are state of the debate as a whole,
    not of a revision: publishing a revision never rolls them back (see with_content_json).
    """

    summary = models.TextField(
        _("the question in a few sentences"),
        max_length=2000,
        help_text=_("Plain text; links become clickable."),
    )
    background = StreamField(
        CONTENT_BLOCKS,
        blank=True,
        verbose_name=_("background material"),
        help_text=_("For official debates: facts, figures and documents to read first."),
    )
    official = models.BooleanField(
        _("official debate"),
        default=False,
        help_text=_("A question the municipality puts to the public."),
    )
    ask_position = models.BooleanField(
        _("ask commenters for a position"),
        default=True,
        help_text=_("Top-level comments say whether they are for, against or neutral."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="debates",
    )

    # State: not part of revisions.
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    up_count = models.PositiveIntegerField(default=0)
    down_count = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    last_comment_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    STATE_FIELDS = (
        "author_id", "hidden", "up_count", "down_count", "score", "comment_count",
        "last_comment_at", "closed_at", "conclusion", "closed_by_id",
    )  # fmt: skip

    objects = DebateManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("background"),
        MultiFieldPanel(
            [
                FieldPanel("official"),
                FieldPanel("ask_position"),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            ],
            heading=_("How the debate runs"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["participation.DebateIndexPage"]
    subpage_types = []
    template = "participation/debate_page.html"

    class Meta:
        verbose_name = _("debate")
        verbose_name_plural = _("debates")
        indexes = [
            models.Index(fields=["hidden", "closed_at"]),
            models.Index(fields=["-comment_count"]),
            models.Index(fields=["-score"]),
        ]

    def __str__(self):
        return self.title

    # State the public sees

    @property
    def comment_positions(self):
        return self.ask_position

    @property
    def status(self):
        now = timezone.now()
        if self.closed_at or (self.closes_at and self.closes_at <= now):
            return "closed"
        if self.opens_at and self.opens_at > now:
            return "upcoming"
        return "open"

    def comments_open(self):
        return self.status == "open" and not self.hidden

    def comment_added(self, comment):
        type(self).objects.filter(pk=self.pk).update(
            comment_count=F("comment_count") + 1, last_comment_at=comment.created_at
        )

    def close(self, user, conclusion):
        """Close the debate with its conclusion; False if it was already closed.

        A conditional update (``WHERE closed_at IS NULL``), so of two staff closing it at
        once only one conclusion is written and announced.
        """
        fields = {"closed_at": timezone.now(), "conclusion": conclusion, "closed_by": user}
        closed = type(self).objects.filter(pk=self.pk, closed_at__isnull=True).update(**fields)
        if closed:
            for name, value in fields.items():
                setattr(self, name, value)
        return bool(closed)

    def get_context(self, request, *args, **kwargs):
        from participation.debate_views import debate_context

        context = super().get_context(request, *args, **kwargs)
        context.update(debate_context(self, request))
        return context

    def serve(self, request, *args, **kwargs):
        if self.hidden:
            from django.http import Http404
            from wagtail.models import Site

            from participation.permissions import can_see_hidden

            if not can_see_hidden(request.user, self, Site.find_for_request(request)):
                raise Http404
        return super().serve(request, *args, **kwargs)

    @path("vote/", name="vote")
    def vote_route(self, request):
        from participation.debate_views import vote_debate

        return vote_debate(request, self)

    @path("close/", name="close")
    def close_route(self, request):
        from participation.debate_views import close_debate

        return close_debate(request, self)

    @path("report/", name="report")
    def report_route(self, request):
        from participation.debate_views import report_debate

        return report_debate(request, self)

    @path("follow/", name="follow")
    def follow_route(self, request):
        from participation.debate_views import follow_debate

        return follow_debate(request, self)


class DebateVote(models.Model):
    debate = models.ForeignKey(DebatePage, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="debate_votes"
    )
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("debate vote")
        verbose_name_plural = _("debate votes")
        constraints = [
            models.UniqueConstraint(fields=["debate", "user"], name="one_vote_per_debate"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="debate_vote_value"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.value:+d} → {self.debate_id}"

    @classmethod
    def cast(cls, debate, user, value):
        return apply_vote(cls, "debate", DebatePage, debate.pk, user, value)

    @classmethod
    def recount(cls, debate_id):
        up = cls.objects.filter(debate_id=debate_id, value=1).count()
        down = cls.objects.filter(debate_id=debate_id, value=-1).count()
        DebatePage.objects.filter(pk=debate_id).update(
            up_count=up, down_count=down, score=up - down
        )
        return up, down
