"""Polls and voter eligibility.

Two halves, kept apart on purpose:

* **Eligibility** (`VotingSettings`, `CensusEntry`, `VerificationRequest`,
  `VoterVerification`): who may vote where. Participatory budgets reuse it through
  `voting.eligibility.check`.
* **Polls** (`PollIndexPage`, `PollPage`, `PollQuestion`, `PollOption`) and the secret
  vote: `Participation` records *who* took part, `Ballot`/`Answer` record *what* was
  answered, and nothing stored links the two (see voting/README.md, "Secrecy").
"""

import datetime
import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager, Site
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.blocks import CONTENT_BLOCKS
from cms.site_settings import CachedSiteSetting
from participation.models.comments import Commentable
from voting import hashing


def new_census_salt():
    return hashing.new_census_salt()


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at each use), which no URL serves."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    return PrivateStorage()


def document_path(instance, filename):
    """Random names outside any public listing; the file goes as soon as staff decide."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"verification/{uuid.uuid4().hex}.{suffix}"


@register_setting(icon="tick-inverse")
class VotingSettings(CachedSiteSetting):
    """Who counts as a voter in one municipality, and how a person shows they are one."""

    class CodeKind(models.TextChoices):
        ADDRESS = "address", _("Road name and building number (e.g. 중앙대로 151)")
        HOUSEHOLD = "household", _("Household code sent by the municipality")

    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age to vote"),
        default=14,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
    )
    require_residency = models.BooleanField(
        _("voters must be verified residents"),
        default=True,
        help_text=_("For a province, residents of its cities and counties count as residents."),
    )
    districts = models.TextField(
        _("districts"),
        blank=True,
        help_text=_("One district (읍·면·동 or 구) per line; polls may be limited to one."),
    )
    use_census = models.BooleanField(
        _("check against the census"),
        default=True,
        help_text=_(
            "Citizens type their name, date of birth and address (or household code); a match "
            "with the hashed census verifies them at once."
        ),
    )
    census_code_kind = models.CharField(
        _("third census field"),
        max_length=10,
        choices=CodeKind.choices,
        default=CodeKind.ADDRESS,
    )
    use_documents = models.BooleanField(
        _("staff review of a document"),
        default=True,
        help_text=_(
            "Citizens upload a proof of address; staff approve or reject it, and the file is "
            "deleted as soon as they decide."
        ),
    )
    use_identity_provider = models.BooleanField(
        _("certified identity provider (본인인증)"),
        default=False,
        help_text=_(
            "The provider confirms who the person is and their age; the person declares that "
            "they live here."
        ),
    )
    identity_provider = models.CharField(
        _("identity provider"),
        max_length=30,
        blank=True,
        default="demo",
        help_text=_("Configured by the installation (settings.IDENTITY_PROVIDERS)."),
    )
    verification_valid_days = models.PositiveSmallIntegerField(
        _("days a verification is kept"),
        default=730,
        validators=[MinValueValidator(30), MaxValueValidator(1830)],
        help_text=_("After this the verification is deleted and the person verifies again."),
    )
    census_salt = models.CharField(
        _("census salt"),
        max_length=32,
        default=new_census_salt,
        help_text=_(
            "Not a secret: whoever hashes the census file needs it together with the "
            "installation's CENSUS_KEY. Changing it invalidates the census already imported."
        ),
    )

    panels = [
        FieldPanel("minimum_age"),
        FieldPanel("require_residency"),
        FieldPanel("districts"),
        MultiFieldPanel(
            [
                FieldPanel("use_census"),
                FieldPanel("census_code_kind"),
                FieldPanel("use_documents"),
                FieldPanel("use_identity_provider"),
                FieldPanel("identity_provider"),
                FieldPanel("verification_valid_days"),
                FieldPanel("census_salt"),
            ],
            heading=_("How residents are verified"),
        ),
    ]

    class Meta:
        verbose_name = _("voting and eligibility")

    @property
    def district_list(self):
        return [line.strip() for line in self.districts.splitlines() if line.strip()]

    def expiry_from(self, moment):
        return moment + datetime.timedelta(days=self.verification_valid_days)


class CensusEntry(models.Model):
    """One resident in a municipality's census, known only by a keyed, slow hash (see hashing)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="census_entries")
    identity_hash = models.CharField(_("identity hash"), max_length=64)
    birth_date = models.DateField(_("date of birth"))
    district = models.CharField(_("district"), max_length=80, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "identity_hash"], name="voting_census_unique_identity"
            )
        ]

    def __str__(self):
        return f"{self.identity_hash[:12]}… ({self.site})"


class VerificationRequest(models.Model):
    """A citizen's request to be recognised as a resident on a document that staff review."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_requests"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    birth_date = models.DateField(_("date of birth"))
    district = models.CharField(_("district"), max_length=80, blank=True)
    document = models.FileField(
        _("document"),
        upload_to=document_path,
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason given to the citizen"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site"],
                condition=Q(status="pending"),
                name="voting_one_pending_request",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_status_display()})"

    def discard_document(self):
        """Delete the uploaded file (after a decision, an expiry or the account's deletion)."""
        if self.document:
            self.document.delete(save=False)
            self.document = ""


class VoterVerificationQuerySet(models.QuerySet):
    def current(self, moment=None):
        moment = moment or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=moment))

    def expired(self, moment=None):
        return self.filter(expires_at__lte=moment or timezone.now())


class VoterVerification(models.Model):
    """A person recognised as a resident of a municipality: how, when, until when, their age.

    Kept minimal: no name, no address, no identifier; only a keyed hash that stops one
    identity (census entry or CI) from verifying two accounts.
    """

    class Method(models.TextChoices):
        CENSUS = "census", _("Census")
        MANUAL = "manual", _("Document reviewed by staff")
        PROVIDER = "provider", _("Identity provider and declaration")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voter_verifications"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    identity_hash = models.CharField(max_length=64, blank=True)
    birth_date = models.DateField(_("date of birth"))
    district = models.CharField(_("district"), max_length=80, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    objects = VoterVerificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("verified resident")
        verbose_name_plural = _("verified residents")
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="voting_one_verification"),
            # One identity, one account: a census entry or CI cannot verify two accounts.
            models.UniqueConstraint(
                fields=["site", "identity_hash"],
                condition=~Q(identity_hash=""),
                name="voting_identity_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.site}"

    def age_on(self, day):
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# Polls


class PollIndexPage(RoutablePageMixin, Page):
    """A municipality's polls: open, upcoming and closed; and where citizens become voters."""

    intro = models.TextField(_("introduction"), blank=True, max_length=400)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["voting.PollPage"]
    template = "voting/poll_index_page.html"
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("poll index")

    def get_context(self, request, *args, **kwargs):
        from voting.views import poll_list_context

        context = super().get_context(request, *args, **kwargs)
        context.update(poll_list_context(self, request))
        return context

    @path("eligibility/", name="eligibility")
    def eligibility(self, request):
        from voting.verification_views import eligibility_view

        return eligibility_view(request, self)

    @path("eligibility/document/", name="eligibility_document")
    def eligibility_document(self, request):
        from voting.verification_views import document_view

        return document_view(request, self)

    @path("eligibility/identity/<str:step>/", name="eligibility_provider")
    def eligibility_provider(self, request, step):
        from voting.verification_views import provider_view

        return provider_view(request, self, step)


class PollQuerySet(PageQuerySet):
    def visible(self):
        """What the public sees: published polls (their results follow
        ``PollPage.results_visible``)."""
        return self.live()

    def open_at(self, moment):
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)

    def closed_at(self, moment):
        return self.filter(closes_at__lte=moment)

    def upcoming_at(self, moment):
        return self.filter(opens_at__gt=moment)


PollManager = PageManager.from_queryset(PollQuerySet)


class PollPage(Commentable, RoutablePageMixin, Page):
    """A question (or several) put to the public, answered in secret by eligible residents."""

    class ResultsVisibility(models.TextChoices):
        AFTER_CLOSE = "after_close", _("After the poll closes")
        LIVE = "live", _("Live, while the poll is open")

    introduction = StreamField(CONTENT_BLOCKS, blank=True, verbose_name=_("introduction"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    results_visibility = models.CharField(
        _("show results"),
        max_length=12,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.AFTER_CLOSE,
        help_text=_(
            "Live results are counted from the sealed ballots in memory and change with each "
            "vote, so anyone watching them between two votes can guess how someone voted. "
            "Choose live results only for large, low-stakes polls."
        ),
    )
    residents_only = models.BooleanField(
        _("only verified residents may vote"),
        default=True,
        help_text=_(
            "Untick to let anyone with a verified email vote (the minimum age still "
            "applies when the person is verified)."
        ),
    )
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("Leave empty to use the municipality's setting."),
    )
    district = models.CharField(
        _("limited to district"),
        max_length=80,
        blank=True,
        help_text=_("Only residents of this district may vote. Leave empty for everyone."),
    )
    eligible_population = models.PositiveIntegerField(
        _("eligible population"),
        null=True,
        blank=True,
        help_text=_("For turnout. Leave empty to count the census entries that qualify."),
    )
    source_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="polls",
        help_text=_("The proposal or page this poll comes from, if any."),
    )

    objects = PollManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        MultiFieldPanel(
            [
                FieldPanel("residents_only"),
                FieldRowPanel([FieldPanel("minimum_age"), FieldPanel("district")]),
                FieldPanel("eligible_population"),
            ],
            heading=_("Who may vote"),
        ),
        FieldPanel("results_visibility"),
        InlinePanel("questions", heading=_("Questions"), label=_("Question"), min_num=1),
        FieldPanel("source_page"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    parent_page_types = ["voting.PollIndexPage"]
    subpage_types = []
    template = "voting/poll_page.html"

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The poll must close after it opens.")})

    # State

    def is_open(self, moment=None):
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at

    def has_closed(self, moment=None):
        return (moment or timezone.now()) >= self.closes_at

    def has_not_opened(self, moment=None):
        return (moment or timezone.now()) < self.opens_at

    @property
    def status(self):
        if self.has_not_opened():
            return "upcoming"
        return "closed" if self.has_closed() else "open"

    def results_visible(self):
        return self.has_closed() or (
            self.results_visibility == self.ResultsVisibility.LIVE and not self.has_not_opened()
        )

    # The secret ballot box (voting.secrecy calls these two)

    def voting_has_closed(self, moment=None):
        return self.has_closed(moment)

    def open_ballots(self, opened):
        """Store the opened ballots in the given (shuffled) order; return the stored results."""
        from voting.ballots import open_poll_ballots

        return open_poll_ballots(self, opened)

    @cached_property
    def rule(self):
        from voting.eligibility import Rule

        return Rule(
            residents_only=self.residents_only,
            minimum_age=self.minimum_age,
            district=self.district,
        )

    @cached_property
    def question_list(self):
        """Questions with their options, in editor order, in two queries."""
        return list(
            self.questions.order_by("sort_order").prefetch_related(
                models.Prefetch("options", queryset=PollOption.objects.order_by("sort_order"))
            )
        )

    # Routes (views in voting/views.py)

    @path("", name="poll")
    def poll_view(self, request):
        from voting.views import poll_view

        return poll_view(request, self)

    @path("receipt/", name="receipt")
    def receipt_view(self, request):
        from voting.views import receipt_check_view

        return receipt_check_view(request, self)

    @path("answers-csv/", name="results_csv")
    def results_csv(self, request):
        from voting.views import results_csv_view

        return results_csv_view(request, self)


class PollQuestion(Orderable, ClusterableModel):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        RANKING = "ranking", _("Ranking")

    poll = ParentalKey(PollPage, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=255)
    help_text = models.CharField(_("explanation"), max_length=400, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(
        _("maximum choices"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Multiple choice: how many options a voter may pick at most. Ranking: how "
            "many options a voter ranks at most. Empty means all."
        ),
    )

    panels = [
        FieldPanel("text"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("max_choices")]),
        InlinePanel("options", heading=_("Options"), label=_("Option"), min_num=2),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")

    def __str__(self):
        return self.text

    def choice_limit(self, option_count):
        if self.kind == self.Kind.SINGLE:
            return 1
        return min(self.max_choices or option_count, option_count)


class PollOption(Orderable):
    question = ParentalKey(PollQuestion, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=255)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("text"), FieldPanel("image")]

    class Meta(Orderable.Meta):
        verbose_name = _("option")

    def __str__(self):
        return self.text


# The secret ballot (generic: a contest is any page, e.g. a poll or a budget; see secrecy.py)


class Participation(models.Model):
    """That a person voted in a contest (a page) and scope: never what, never which envelope.

    `scope` is "" for a poll and a heading's id for a participatory budget. Nothing here
    points at an envelope or a ballot, and the date is only the day.
    """

    contest = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="participations"
    )
    scope = models.CharField(max_length=64, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    voted_on = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name = _("participation")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "scope", "user"], name="voting_one_participation"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.contest_id}/{self.scope}"


class BallotBox(models.Model):
    """A contest's key pair and state, created at the first vote.

    The private key is stored only wrapped (`secretbox`) by a key derived from the
    BALLOT_KEY_SECRET setting, which lives in the environment, never in the database.
    `results` holds what the contest computed once when the envelopes were opened.
    """

    contest = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="ballot_box"
    )
    public_key = models.BinaryField()
    wrapped_private_key = models.BinaryField()
    opened_on = models.DateField(null=True, blank=True)
    opened_envelopes = models.PositiveIntegerField(default=0)
    results = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("ballot box")

    def __str__(self):
        return f"ballot box of page {self.contest_id}"

    @property
    def is_open(self):
        return self.opened_on is None


class SealedEnvelope(models.Model):
    """One vote sealed with its contest's public key, waiting for the count.

    No user, no participation, no time: a random id, the sealed payload, the keyed hash
    of the receipt and, for the receipt holder's review while the contest is open, the
    same payload encrypted with a key derived from the receipt. Destroyed at the opening.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="envelopes")
    scope = models.CharField(max_length=64, blank=True, default="")
    channel = models.CharField(max_length=10, default="online")
    sealed = models.BinaryField()
    review = models.BinaryField()
    receipt_hash = models.CharField(max_length=64, unique=True)
    mixed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("sealed envelope")

    def __str__(self):
        return f"envelope {self.pk}"


class CountedReceipt(models.Model):
    """A receipt whose envelope was opened and counted: proves inclusion, names no ballot.

    Written at the opening sorted by hash, apart from the shuffled ballots.
    """

    box = models.ForeignKey(BallotBox, on_delete=models.CASCADE, related_name="counted_receipts")
    scope = models.CharField(max_length=64, blank=True, default="")
    receipt_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("counted receipt")
        constraints = [
            models.UniqueConstraint(fields=["box", "receipt_hash"], name="voting_receipt_once")
        ]

    def __str__(self):
        return self.receipt_hash[:12]


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper ballot")
    BOOTH = "booth", _("On-site booth")


class Ballot(models.Model):
    """What one voter answered, as opened at the close: no user, no receipt, no date.

    Written only by the opening of the poll's ballot box, all at once and in shuffled
    order, with a random id (see voting/README.md, "Secrecy").
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(PollPage, on_delete=models.CASCADE, related_name="ballots")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)

    class Meta:
        verbose_name = _("ballot")

    def __str__(self):
        return self.public_id

    @property
    def public_id(self):
        return self.id.hex[:12]


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(PollQuestion, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="answers")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "option"], name="voting_answer_once"),
        ]

    def __str__(self):
        return f"{self.option} ({self.rank})" if self.rank else str(self.option)


class OfflineResult(models.Model):
    """Votes counted outside the site (paper, booths), entered by staff per option and channel.

    For a ranking question the count is the option's points (Borda: last place 1 point).
    """

    poll = models.ForeignKey(PollPage, on_delete=models.CASCADE, related_name="offline_results")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "option", "channel"], name="voting_offline_result_once"
            )
        ]

    def __str__(self):
        return f"{self.option} · {self.get_channel_display()}: {self.count}"


class OfflineTurnout(models.Model):
    """How many people voted through an offline channel (for turnout)."""

    poll = models.ForeignKey(PollPage, on_delete=models.CASCADE, related_name="offline_turnout")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    ballots = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "channel"], name="voting_offline_turnout_once")
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.ballots}"
