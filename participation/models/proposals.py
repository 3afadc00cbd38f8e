"""Citizen proposals: the index page per municipality, the proposal page and its public timeline."""

import math
import os
import re
import uuid

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.page_state import PageState
from participation.models.comments import Commentable
from participation.models.implementation import ImplementationTracked, register_trackable
from participation.sanitize import clean_citizen_html
from participation.validators import validate_attachment, validate_image


class ProposalIndexPage(RoutablePageMixin, Page):
    """A municipality's list of citizen proposals; also where citizens submit and follow theirs."""

    intro = models.TextField(_("introduction"), blank=True, max_length=600)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["participation.ProposalPage"]
    template = "participation/proposal_index_page.html"
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("proposals index page")

    def get_context(self, request, *args, **kwargs):
        from participation.views import index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(index_context(self, request))
        return context

    @path("submit/")
    def submit(self, request):
        from participation.views import submit_proposal

        return submit_proposal(request, self)

    @path("<int:proposal_id>/edit/")
    def edit(self, request, proposal_id):
        from participation.views import edit_proposal

        return edit_proposal(request, self, proposal_id)

    @path("<int:proposal_id>/preview/")
    def preview(self, request, proposal_id):
        from participation.views import preview_proposal

        return preview_proposal(request, self, proposal_id)

    @path("<int:proposal_id>/withdraw/")
    def withdraw(self, request, proposal_id):
        from participation.views import withdraw_proposal

        return withdraw_proposal(request, self, proposal_id)

    @path("<int:proposal_id>/support/")
    def support(self, request, proposal_id):
        from participation.views import support_proposal

        return support_proposal(request, self, proposal_id)

    @path("follow/<int:content_type_id>/<int:object_id>/")
    def follow(self, request, content_type_id, object_id):
        from participation.views import follow

        return follow(request, self, content_type_id, object_id)

    @path("report/<int:content_type_id>/<int:object_id>/")
    def report(self, request, content_type_id, object_id):
        from participation.views import report

        return report(request, self, content_type_id, object_id)

    @path("files/<int:file_id>/")
    def proposal_file(self, request, file_id):
        from participation.views import proposal_file

        return proposal_file(request, self, file_id)

    @path("my/")
    def my_activity(self, request):
        from participation.views import my_activity

        return my_activity(request, self)

    @path("unsubscribe/<int:user_id>/<str:token>/")
    def unsubscribe(self, request, user_id, token):
        from participation.views import unsubscribe

        return unsubscribe(request, self, user_id, token)


SEARCH_WORD = re.compile(r"\w+")


class ProposalQuerySet(PageQuerySet):
    def visible(self):
        """What the public sees: live and not hidden by moderation."""
        return self.live().filter(hidden=False)

    def in_index(self, index_page):
        return self.child_of(index_page)

    def matching(self, text):
        """Proposals whose title, summary or body has words starting with each word of `text`.

        On PostgreSQL through the full-text index Wagtail keeps of every published page
        (GIN indexes on its title and body vectors), so a search costs the same at 20,000
        proposals as at 20; elsewhere a substring match on title and summary.
        """
        words = SEARCH_WORD.findall(text)[:8]
        if not words:
            return self.none()
        if connection.vendor != "postgresql":
            condition = Q()
            for word in words:
                condition &= Q(title__icontains=word) | Q(summary__icontains=word)
            return self.filter(condition)
        from django.contrib.contenttypes.models import ContentType
        from django.contrib.postgres.search import SearchQuery
        from django.db.models.functions import Cast
        from wagtail.search.models import IndexEntry

        query = SearchQuery(
            " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
        )
        entries = (
            IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(self.model))
            .filter(Q(title=query) | Q(body=query))
            .annotate(page_id=Cast("object_id", models.IntegerField()))
            .values("page_id")
        )
        return self.filter(pk__in=entries)

    def for_list(self):
        """What a card shows: topic, area, author and the first attached image (one query more)."""
        images = ProposalFile.objects.filter(kind=ProposalFile.Kind.IMAGE).order_by("pk")
        return self.select_related("topic", "area", "author").prefetch_related(
            Prefetch("files", queryset=images, to_attr="card_images")
        )

    def awaiting_answer(self):
        return self.filter(stage=ProposalPage.Stage.REVIEW)

    def overdue(self, now=None):
        return self.awaiting_answer().filter(review_due_at__lt=now or timezone.now())

    def due_for_check(self, now=None):
        """Collecting proposals whose window has closed or whose threshold is reached."""
        now = now or timezone.now()
        return self.filter(stage=ProposalPage.Stage.COLLECTING).filter(
            Q(support_deadline__lte=now) | Q(support_count__gte=F("support_threshold"))
        )


ProposalManager = PageManager.from_queryset(ProposalQuerySet)


class ProposalPage(PageState, ImplementationTracked, Commentable, Page):
    """A citizen's policy proposal, carried through the municipality's proposal workflow.

    The workflow tasks keep ``stage`` and the stage dates up to date; these state fields
    belong to the proposal as a whole, not to a revision, so publishing a revision never
    rolls them back (see with_content_json).
    """

    class Stage(models.TextChoices):
        DRAFT = "draft", _("Draft")
        MODERATION = "moderation", _("Awaiting moderation")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REJECTED = "rejected", _("Not published")
        COLLECTING = "collecting", _("Collecting supports")
        LAPSED = "lapsed", _("Closed without enough supports")
        REVIEW = "review", _("Under committee review")
        ADOPTED = "adopted", _("Adopted")
        PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
        REJECTED_BY_COMMITTEE = "rejected_by_committee", _("Not adopted")
        PUT_TO_VOTE = "put_to_vote", _("Put to a public vote")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        IMPLEMENTED = "implemented", _("Implemented")

    class WithdrawalReason(models.TextChoices):
        DUPLICATE = "duplicate", _("It duplicates another proposal")
        ALREADY_DONE = "already_done", _("It has already been done")
        NOT_RELEVANT = "not_relevant", _("It is no longer relevant")
        OTHER = "other", _("Other reason")

    summary = models.TextField(_("summary"), max_length=300)
    body = models.TextField(_("proposal"), help_text=_("Sanitised citizen text."))
    topic = models.ForeignKey(
        "participation.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    area = models.ForeignKey(
        "participation.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )

    # State: owned by the workflow, not by revisions.
    stage = models.CharField(
        _("stage"), max_length=24, choices=Stage.choices, default=Stage.DRAFT, db_index=True
    )
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    support_threshold = models.PositiveIntegerField(_("supports needed"), default=100)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    support_deadline = models.DateTimeField(_("supports close"), null=True, blank=True)
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    review_due_at = models.DateTimeField(_("committee answer due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    moderation_note = models.TextField(_("moderation reason"), blank=True)
    answer = models.TextField(_("committee answer"), blank=True)
    withdrawal_reason = models.CharField(
        _("withdrawal reason"), max_length=20, choices=WithdrawalReason.choices, blank=True
    )
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)

    STATE_FIELDS = (
        "author_id", "stage", "hidden", "support_count", "support_threshold", "submitted_at",
        "published_at", "support_deadline", "threshold_reached_at", "review_due_at", "answered_at",
        "closed_at",
        "moderation_note", "answer", "withdrawal_reason", "withdrawal_note",
    )  # fmt: skip
    EDITABLE_STAGES = (Stage.DRAFT, Stage.MODERATION, Stage.CHANGES_REQUESTED)
    WITHDRAWABLE_STAGES = (Stage.DRAFT, Stage.MODERATION, Stage.CHANGES_REQUESTED, Stage.COLLECTING)
    DECIDED_STAGES = (
        Stage.ADOPTED,
        Stage.PARTLY_ADOPTED,
        Stage.REJECTED_BY_COMMITTEE,
        Stage.IMPLEMENTED,
    )

    objects = ProposalManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("topic"), FieldPanel("area")], heading=_("Classification")),
    ]
    promote_panels = Page.promote_panels
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["participation.ProposalIndexPage"]
    subpage_types = []
    template = "participation/proposal_page.html"

    class Meta:
        verbose_name = _("citizen proposal")
        verbose_name_plural = _("citizen proposals")
        indexes = [
            models.Index(fields=["stage", "support_deadline"]),
            # "Most supported" first; "newest" has its index in migration 0004 (NULLS LAST
            # needs per-database SQL).
            models.Index(
                F("support_count").desc(), F("page_ptr").desc(), name="proposal_supported"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = clean_citizen_html(self.body)
        return super().save(*args, **kwargs)

    def visible_to(self, user, site):
        """The public sees what ``ProposalQuerySet.visible()`` lists; the author and the
        municipality's staff (moderators, committee, editors of the page) see the rest."""
        from participation import permissions

        if type(self).objects.visible().filter(pk=self.pk).exists():
            return True
        if not user.is_authenticated:
            return False
        return (
            self.author_id == user.pk
            or permissions.is_moderator(user, site)
            or permissions.is_committee_member(user, site)
            or self.permissions_for_user(user).can_edit()
        )

    def record(self, kind, actor=None, note="", **extra):
        return ProposalEvent.objects.create(
            proposal=self, kind=kind, actor=actor, note=note, **extra
        )

    # What the public sees
    comment_positions = True  # the for-and-against discussion (찬반토론) of 경남1번가

    def comments_open(self):
        return not self.hidden and self.stage not in (self.Stage.WITHDRAWN,)

    @property
    def support_open(self):
        return (
            self.stage == self.Stage.COLLECTING
            and self.support_deadline is not None
            and timezone.now() < self.support_deadline
        )

    @property
    def days_left(self):
        if not self.support_open:
            return 0
        return max(0, math.ceil((self.support_deadline - timezone.now()).total_seconds() / 86400))

    @property
    def support_percent(self):
        if not self.support_threshold:
            return 0
        return min(100, round(100 * self.support_count / self.support_threshold))

    @property
    def is_decided(self):
        return self.stage in self.DECIDED_STAGES

    @cached_property
    def timeline(self):
        return list(self.events.public().select_related("actor", "implementation_update"))

    @cached_property
    def public_polls(self):
        """Live polls that put this proposal to the public (their ``source_page`` is it)."""
        return list(self.polls.live().order_by("pk").specific())

    def implementation_posted(self, update):
        """An update on carrying it out: the proposal's timeline, stage and followers."""
        from participation.workflow import implementation_posted

        implementation_posted(self, update)

    @property
    def card_image(self):
        images = getattr(self, "card_images", None)
        return images[0] if images else None

    def social_image(self):
        """The first attached image, for Open Graph (cms's head tags ask for it)."""
        image = self.files.filter(kind=ProposalFile.Kind.IMAGE).order_by("pk").first()
        if image is None:
            return None
        return {"url": image.file.url, "width": None, "height": None, "alt": image.alt}

    def get_context(self, request, *args, **kwargs):
        from participation.views import proposal_context

        context = super().get_context(request, *args, **kwargs)
        context.update(proposal_context(self, request))
        return context

    def serve(self, request, *args, **kwargs):
        from participation.workflow import check_proposal

        if (
            self.stage == self.Stage.COLLECTING
            and self.support_deadline
            and self.support_deadline <= timezone.now()
        ):
            check_proposal(self.pk)  # the scheduler may have been down: close the window now
            self.refresh_from_db()
        if self.hidden:
            from django.http import Http404
            from wagtail.models import Site

            from participation.permissions import can_see_proposal

            if not can_see_proposal(request.user, self, Site.find_for_request(request)):
                raise Http404
        return super().serve(request, *args, **kwargs)


register_trackable(
    lambda: ProposalPage.objects.filter(stage__in=["adopted", "partly_adopted", "implemented"])
)


class ProposalEventQuerySet(models.QuerySet):
    def public(self):
        """The steps shown on the public timeline (and in the API and open data)."""
        return self.filter(public=True)


class ProposalEvent(models.Model):
    """One step in a proposal's life: the public timeline and the audit record (who, when, why)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        EDITED = "edited", _("Edited by the author")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REJECTED = "rejected", _("Not published after moderation")
        PUBLISHED = "published", _("Published; supports open")
        THRESHOLD_REACHED = "threshold_reached", _("Reached the supports needed")
        LAPSED = "lapsed", _("Closed without enough supports")
        REVIEW_STARTED = "review_started", _("Committee review started")
        ANSWERED = "answered", _("Committee answered")
        PUT_TO_VOTE = "put_to_vote", _("The committee put it to a public vote")
        WITHDRAWN = "withdrawn", _("Withdrawn by the author")
        IMPLEMENTATION = "implementation", _("Implementation update")
        HIDDEN = "hidden", _("Hidden by moderation")
        RESTORED = "restored", _("Restored by moderation")

    proposal = models.ForeignKey(ProposalPage, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown on the timeline"), default=True)
    implementation_update = models.OneToOneField(
        "participation.ImplementationUpdate",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = ProposalEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


def proposal_file_path(instance, filename):
    """An unguessable name: the stored file cannot be found from the proposal or the upload."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"proposals/{uuid.uuid4().hex}{extension}"


class ProposalFile(models.Model):
    """An image or document a citizen attached to a proposal (size, type and content checked).

    Stored outside the public media folder; ``participation.views.proposal_file`` serves it
    to whoever may see the proposal (``ProposalPage.visible_to``).
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")

    proposal = models.ForeignKey(ProposalPage, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=proposal_file_path, storage=private_storage, validators=[])
    name = models.CharField(max_length=120)
    alt = models.CharField(_("image description"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("proposal file")
        verbose_name_plural = _("proposal files")

    def __str__(self):
        return self.name

    def clean(self):
        (validate_image if self.kind == self.Kind.IMAGE else validate_attachment)(self.file)
