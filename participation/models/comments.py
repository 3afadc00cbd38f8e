"""Comments: one threaded, voted discussion mechanism for any page type that opts in.

A comment belongs to a Wagtail page (any type), so one query serves debates, proposals,
polls and budget projects alike. Threads go three levels deep (depth 0, 1, 2); a reply to
a depth-2 comment is attached to that comment's parent, so it appears next to it in the
same thread rather than being refused. Every comment knows its top-level ancestor
(``root``), so a whole thread loads in one query.

Vote counters are denormalised on the comment and changed with F() in the same
transaction as the vote row; ``recount`` makes them equal the rows again.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import register_setting

from cms.links import absolute_url
from cms.site_settings import CachedSiteSetting

MAX_DEPTH = 2


@register_setting(icon="comment")
class DiscussionSettings(CachedSiteSetting):
    """How comments and debates behave on one municipality's site."""

    comment_max_length = models.PositiveIntegerField(
        _("longest comment (characters)"),
        default=1000,
        validators=[MinValueValidator(50), MaxValueValidator(10000)],
    )
    edit_window_minutes = models.PositiveSmallIntegerField(
        _("minutes a comment can be edited"),
        default=15,
        validators=[MaxValueValidator(1440)],
        help_text=_("After this, the author can still delete the comment but not change it."),
    )
    writes_per_minute = models.PositiveSmallIntegerField(
        _("comments and debates per person per minute"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    new_account_writes_per_minute = models.PositiveSmallIntegerField(
        _("... for accounts younger than a day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    debates_need_moderation = models.BooleanField(
        _("citizens' debates wait for a moderator"),
        default=False,
        help_text=_(
            "When ticked, a debate a citizen opens is saved as a draft and goes live "
            "when a moderator publishes it."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("comment_max_length"),
                FieldPanel("edit_window_minutes"),
                FieldPanel("writes_per_minute"),
                FieldPanel("new_account_writes_per_minute"),
            ],
            heading=_("Comments"),
        ),
        FieldPanel("debates_need_moderation"),
    ]

    class Meta:
        verbose_name = _("discussion settings")


class Position(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    NEUTRAL = "neutral", _("Neutral")


class CommentQuerySet(models.QuerySet):
    def on(self, page):
        return self.filter(page_id=page.pk)

    def top_level(self):
        return self.filter(depth=0)

    def shown(self):
        """Counted in totals and the position balance: not deleted, not hidden."""
        return self.filter(deleted_at__isnull=True, hidden=False)

    def public(self):
        """What anyone may read (pages, the API, open data): shown comments on pages the
        public sees (live, not hidden by moderation)."""
        from participation.models.debates import DebatePage
        from participation.models.proposals import ProposalPage

        return (
            self.shown()
            .filter(page__live=True)
            .exclude(page_id__in=ProposalPage.objects.filter(hidden=True).values("pk"))
            .exclude(page_id__in=DebatePage.objects.filter(hidden=True).values("pk"))
        )

    def sorted(self, sort):
        return self.order_by(*Comment.SORTS.get(sort, Comment.SORTS["best"]))


class Comment(models.Model):
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="participation_comments",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="thread"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    position = models.CharField(
        _("position"), max_length=8, choices=Position.choices, blank=True, default=""
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    up_count = models.PositiveIntegerField(default=0)
    down_count = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    thread_reply_count = models.PositiveIntegerField(
        default=0, help_text="Replies at any depth under a top-level comment."
    )

    objects = CommentQuerySet.as_manager()

    SORTS = {
        "best": ["-score", "-created_at", "-id"],
        "newest": ["-created_at", "-id"],
        "oldest": ["created_at", "id"],
    }

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["page", "depth", "-score", "-created_at"], name="comment_best"),
            models.Index(fields=["page", "depth", "created_at"], name="comment_time"),
            models.Index(fields=["root", "created_at"], name="comment_thread"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(depth__lte=MAX_DEPTH), name="comment_max_depth"),
            models.CheckConstraint(
                condition=Q(depth=0) | Q(position=""), name="comment_position_top_level_only"
            ),
        ]

    def __str__(self):
        return f"{self.author.public_name if self.author else '—'}: {self.body[:60]}"

    # Notifications and the moderation queue use these.
    @property
    def title(self):
        return self.page.title

    def get_url(self, request=None):
        return f"{self.page.get_url(request)}#comment-{self.pk}"

    def get_full_url(self):
        return absolute_url(self.page, f"#comment-{self.pk}")

    def get_site(self):
        return self.page.get_site()

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def editable_until(self, window_minutes):
        return self.created_at + datetime.timedelta(minutes=window_minutes)

    @classmethod
    def post(cls, page, author, body, *, parent=None, position=""):
        """Add a comment (or reply) and keep the parent's and thread's reply counts."""
        if parent is not None and parent.depth >= MAX_DEPTH:
            parent = parent.parent
        with transaction.atomic():
            comment = cls.objects.create(
                page_id=page.pk,
                parent=parent,
                root_id=(parent.root_id or parent.pk) if parent else None,
                depth=parent.depth + 1 if parent else 0,
                author=author,
                body=body,
                position="" if parent else position,
            )
            if parent is not None:
                cls.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
                cls.objects.filter(pk=comment.root_id).update(
                    thread_reply_count=F("thread_reply_count") + 1
                )
            page_hook = getattr(page, "comment_added", None)
            if page_hook is not None:
                page_hook(comment)
        return comment

    def soft_delete(self):
        """The text goes; a placeholder stays so that replies keep their place."""
        type(self).objects.filter(pk=self.pk).update(deleted_at=timezone.now(), body="")
        self.refresh_from_db()

    @classmethod
    def recount(cls, comment_ids=None):
        """Make every denormalised counter equal the rows again; returns how many were fixed."""
        comments = cls.objects.all()
        if comment_ids is not None:
            comments = comments.filter(pk__in=comment_ids)
        fixed = 0
        votes = CommentVote.objects.filter(comment=models.OuterRef("pk"))
        comments = comments.annotate(
            real_up=models.functions.Coalesce(
                models.Subquery(
                    votes.filter(value=1).values("comment").annotate(n=Count("pk")).values("n")[:1]
                ),
                0,
            ),
            real_down=models.functions.Coalesce(
                models.Subquery(
                    votes.filter(value=-1).values("comment").annotate(n=Count("pk")).values("n")[:1]
                ),
                0,
            ),
            real_replies=models.functions.Coalesce(
                models.Subquery(
                    cls.objects.filter(parent=models.OuterRef("pk"))
                    .values("parent")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            ),
            real_thread=models.functions.Coalesce(
                models.Subquery(
                    cls.objects.filter(root=models.OuterRef("pk"))
                    .values("root")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            ),
        ).filter(
            ~Q(up_count=F("real_up"))
            | ~Q(down_count=F("real_down"))
            | ~Q(score=F("real_up") - F("real_down"))
            | ~Q(reply_count=F("real_replies"))
            | ~Q(thread_reply_count=F("real_thread"))
        )
        for row in comments.values("pk", "real_up", "real_down", "real_replies", "real_thread"):
            cls.objects.filter(pk=row["pk"]).update(
                up_count=row["real_up"],
                down_count=row["real_down"],
                score=row["real_up"] - row["real_down"],
                reply_count=row["real_replies"],
                thread_reply_count=row["real_thread"],
            )
            fixed += 1
        return fixed


def apply_vote(vote_model, target_field, target_model, target_id, user, value):
    """Set a person's vote (+1, -1, or 0 to withdraw) and move the counters with it.

    The vote row and the counters change in one transaction; the unique constraint on
    (target, user) means a repeated or concurrent vote never counts twice. Returns the
    person's vote after the call.
    """
    lookup = {f"{target_field}_id": target_id, "user": user}
    with transaction.atomic():
        old = (
            vote_model.objects.select_for_update()
            .filter(**lookup)
            .values_list("value", flat=True)
            .first()
        )
        if old == value or (old is None and value == 0):
            return value
        if old is None:
            try:
                with transaction.atomic():
                    vote_model.objects.create(value=value, **lookup)
            except IntegrityError:
                # The same person's concurrent request got there first; it counted once.
                return vote_model.objects.filter(**lookup).values_list("value", flat=True).first()
        elif value == 0:
            vote_model.objects.filter(**lookup).delete()
        else:
            vote_model.objects.filter(**lookup).update(value=value)
        up = int(value == 1) - int(old == 1)
        down = int(value == -1) - int(old == -1)
        target_model._default_manager.filter(pk=target_id).update(
            up_count=F("up_count") + up,
            down_count=F("down_count") + down,
            score=F("score") + up - down,
        )
    return value


class CommentVote(models.Model):
    class Value(models.IntegerChoices):
        UP = 1, _("Agree")
        DOWN = -1, _("Disagree")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_votes"
    )
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment vote")
        verbose_name_plural = _("comment votes")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_vote_per_comment"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="comment_vote_value"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.value:+d} → {self.comment_id}"

    @classmethod
    def cast(cls, comment, user, value):
        return apply_vote(cls, "comment", Comment, comment.pk, user, value)


def position_balance(page):
    """Counts of top-level comments per position, in one aggregate query."""
    counts = (
        Comment.objects.on(page)
        .top_level()
        .shown()
        .aggregate(
            **{choice.value: Count("pk", filter=Q(position=choice.value)) for choice in Position}
        )
    )
    total = sum(counts.values())
    rows = []
    for choice in Position:
        count = counts[choice.value]
        percent = round(100 * count / total) if total else 0
        rows.append(
            {
                "value": choice.value,
                "label": choice.label,
                "count": count,
                "percent": percent,
                "step": 5 * round(percent / 5),
            }
        )
    return {"total": total, "rows": rows}


class Commentable(RoutablePageMixin):
    """Mix into a page type to give it the comment thread and its routes.

    ``comment_positions``: top-level comments say for, against or neutral (a field or an
    attribute). ``comments_open()``: whether new comments are taken now.
    """

    comment_positions = False

    def comments_open(self):
        return True

    def comment_added(self, comment):
        """Called inside the comment's transaction; pages may keep their own counters."""

    @path("comments/", name="comments")
    def comments_route(self, request):
        from participation.comment_views import comments_batch

        return comments_batch(request, self)

    @path("comments/post/", name="comment_post")
    def comment_post_route(self, request):
        from participation.comment_views import post_comment

        return post_comment(request, self)

    @path("comments/<int:comment_id>/", name="comment_thread")
    def comment_thread_route(self, request, comment_id):
        from participation.comment_views import comment_thread

        return comment_thread(request, self, comment_id)

    @path("comments/<int:comment_id>/vote/", name="comment_vote")
    def comment_vote_route(self, request, comment_id):
        from participation.comment_views import vote_comment

        return vote_comment(request, self, comment_id)

    @path("comments/<int:comment_id>/edit/", name="comment_edit")
    def comment_edit_route(self, request, comment_id):
        from participation.comment_views import edit_comment

        return edit_comment(request, self, comment_id)

    @path("comments/<int:comment_id>/delete/", name="comment_delete")
    def comment_delete_route(self, request, comment_id):
        from participation.comment_views import delete_comment

        return delete_comment(request, self, comment_id)

    @path("comments/<int:comment_id>/report/", name="comment_report")
    def comment_report_route(self, request, comment_id):
        from participation.comment_views import report_comment

        return report_comment(request, self, comment_id)
