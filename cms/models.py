"""Accounts and per-municipality configuration: the base every app builds on."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.settings.models import register_setting
from wagtail.models import Site

from cms.colour import contrast_ratio
from cms.site_settings import CachedSiteSetting

# Sent when a person deletes their account, so that apps drop what they hold about them
# (voting deletes residency verifications and documents). cms imports no app: they listen.
account_deleted = Signal()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person: a citizen, a member of staff or a committee member.

    Citizens are shown to others by display name only; the email stays private.
    """

    username = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=40,
        help_text=_("The name other participants see next to what you write."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        if self.deleted_at:
            return str(_("Deleted account"))
        return self.display_name or str(_("Participant"))

    def get_full_name(self):
        return self.public_name

    def get_short_name(self):
        return self.public_name

    @transaction.atomic
    def anonymise(self):
        """Delete the account but keep what the person wrote, under a neutral name.

        The row stays so that comments, proposals and supports keep their author
        reference; everything that identifies the person is removed.
        """
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from django.contrib.sessions.models import Session

        EmailAddress.objects.filter(user=self).delete()
        Authenticator.objects.filter(user=self).delete()
        self.groups.clear()
        self.user_permissions.clear()
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get("_auth_user_id") == str(self.pk):
                session.delete()
        self.email = f"deleted-{self.pk}@invalid"
        self.display_name = ""
        self.first_name = ""
        self.last_name = ""
        self.is_active = False
        self.is_staff = False
        self.is_superuser = False
        self.deleted_at = timezone.now()
        self.set_unusable_password()
        self.save()
        account_deleted.send(sender=type(self), user=self)


DEFAULT_CONSENT = {
    "purposes": _(
        "Running your account; taking part in debates, proposals, budgets and polls; "
        "telling you about what you follow."
    ),
    "items": _("Email address, display name, password (stored hashed), language."),
    "retention": _(
        "Until you delete your account. What you wrote stays, without your name; "
        "records the law requires are kept for the period it sets."
    ),
}


class Consent(models.Model):
    """A person's consent to a municipality's privacy notice, with the text and version agreed to."""

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("Collection and use of personal data")
        TERMS = "terms", _("Terms of use")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("consent to"), max_length=10, choices=Kind.choices)
    version = models.CharField(_("version"), max_length=20)
    terms = models.JSONField(_("text agreed to"), default=dict)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version}"


hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # followed by six hexadecimal digits.")
)


@register_setting(icon="site")
class MunicipalitySettings(CachedSiteSetting):
    """Everything that makes a site one municipality's: its name, look and participation rules."""

    kept_relations = ("logo", "privacy_page", "terms_page", "parent_province")

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province (광역)")
        CITY = "city", _("City or county (기초)")

    name_ko = models.CharField(_("official name (Korean)"), max_length=80, default="")
    name_en = models.CharField(_("official name (English)"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CITY)
    parent_province = models.ForeignKey(
        Site,
        verbose_name=_("parent province"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_municipalities",
        help_text=_("For a city or county: the province site that lists it."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#0b50d0",
        validators=[hex_colour],
        help_text=_("Used behind white text, so it must be dark enough to read on (4.5:1)."),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_address = models.CharField(_("address"), max_length=200, blank=True)
    footer_text = models.TextField(_("footer text"), blank=True)
    support_threshold = models.PositiveIntegerField(
        _("supports needed for committee review"),
        default=100,
        validators=[MinValueValidator(1)],
    )
    support_window_days = models.PositiveIntegerField(
        _("days to gather supports"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy notice page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The page with the privacy notice (개인정보 처리방침), linked from every footer."
        ),
    )
    terms_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("terms of use page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The page with the terms of use, linked from every footer."),
    )
    consent_purposes = models.TextField(
        _("purposes of processing"),
        blank=True,
        help_text=_("Shown at sign-up. Left empty, the platform's standard wording is used."),
    )
    consent_items = models.TextField(_("personal data collected"), blank=True)
    consent_retention = models.TextField(_("retention period"), blank=True)
    consent_version = models.CharField(
        _("version of the consent text"),
        max_length=20,
        default="2026-01",
        help_text=_("Change it whenever the texts above change; each consent records it."),
    )

    class SupportRule(models.TextChoices):
        RESIDENTS = "residents", _("Verified residents of this municipality")
        EMAIL = "email", _("Anyone with a verified email address")

    support_rule = models.CharField(
        _("who may support proposals"),
        max_length=10,
        choices=SupportRule.choices,
        default=SupportRule.RESIDENTS,
        help_text=_(
            "Supports that did not meet the rule are refused, so the threshold counts only "
            "those that did. A province counts the residents of its cities and counties."
        ),
    )

    class DataLicence(models.TextChoices):
        KOGL_1 = "kogl-1", _("KOGL Type 1: attribution (공공누리 제1유형)")
        KOGL_2 = "kogl-2", _("KOGL Type 2: attribution, no commercial use (공공누리 제2유형)")
        KOGL_3 = "kogl-3", _("KOGL Type 3: attribution, no changes (공공누리 제3유형)")
        KOGL_4 = (
            "kogl-4",
            _("KOGL Type 4: attribution, no commercial use, no changes (공공누리 제4유형)"),
        )
        CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0")
        CC0 = "cc0-1.0", _("CC0 1.0: no rights reserved")

    DATA_LICENCE_URLS = {
        "kogl-1": "https://www.kogl.or.kr/info/licenseType1.do",
        "kogl-2": "https://www.kogl.or.kr/info/licenseType2.do",
        "kogl-3": "https://www.kogl.or.kr/info/licenseType3.do",
        "kogl-4": "https://www.kogl.or.kr/info/licenseType4.do",
        "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
        "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    }

    data_licence = models.CharField(
        _("open data licence"),
        max_length=12,
        choices=DataLicence.choices,
        default=DataLicence.KOGL_1,
        help_text=_("The licence of the open data bundle and the public API."),
    )

    @property
    def data_licence_url(self):
        return self.DATA_LICENCE_URLS.get(self.data_licence, "")

    identity_panels = [
        FieldRowPanel([FieldPanel("name_ko"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("parent_province")]),
        FieldPanel("logo"),
        FieldPanel("primary_colour"),
        MultiFieldPanel(
            [
                FieldPanel("contact_phone"),
                FieldPanel("contact_email"),
                FieldPanel("contact_address"),
                FieldPanel("footer_text"),
            ],
            heading=_("Contact and footer"),
        ),
    ]
    participation_panels = [
        FieldRowPanel([FieldPanel("support_threshold"), FieldPanel("support_window_days")]),
        FieldPanel("support_rule"),
        FieldPanel("data_licence"),
    ]
    privacy_panels = [
        FieldRowPanel([FieldPanel("privacy_page"), FieldPanel("terms_page")]),
        MultiFieldPanel(
            [
                FieldPanel("consent_purposes"),
                FieldPanel("consent_items"),
                FieldPanel("consent_retention"),
                FieldPanel("consent_version"),
            ],
            heading=_("Consent asked at sign-up"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(identity_panels, heading=_("Municipality")),
            ObjectList(participation_panels, heading=_("Participation")),
            ObjectList(privacy_panels, heading=_("Privacy and terms")),
        ]
    )

    class Meta:
        verbose_name = _("municipality")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_ko or self.site.site_name

    @property
    def consent_terms(self):
        """What a person agrees to at sign-up: purposes, items and retention, as shown."""
        return {
            "purposes": self.consent_purposes or str(DEFAULT_CONSENT["purposes"]),
            "items": self.consent_items or str(DEFAULT_CONSENT["items"]),
            "retention": self.consent_retention or str(DEFAULT_CONSENT["retention"]),
            "version": self.consent_version,
        }

    @cached_property
    def member_sites(self):
        """The cities and counties of a province, in name order."""
        if self.kind != self.Kind.PROVINCE:
            return []
        return list(
            MunicipalitySettings.objects.filter(parent_province=self.site)
            .select_related("site", "site__root_page")
            .order_by("name_ko")
        )

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.Kind.PROVINCE and self.parent_province_id:
            errors["parent_province"] = _("A province cannot belong to another province.")
        if self.parent_province_id and self.parent_province_id == self.site_id:
            errors["parent_province"] = _("A municipality cannot be its own province.")
        if self.primary_colour and not hex_colour.regex.match(self.primary_colour):
            pass  # the field validator reports it
        elif self.primary_colour and contrast_ratio(self.primary_colour, "#ffffff") < 4.5:
            errors["primary_colour"] = _(
                "White text on this colour has a contrast of %(ratio).1f:1; "
                "choose a darker colour (at least 4.5:1)."
            ) % {"ratio": contrast_ratio(self.primary_colour, "#ffffff")}
        if errors:
            raise ValidationError(errors)


class OutboxMail(models.Model):
    """A mail to send, written in the transaction of the event that causes it.

    It holds ids and names, never a body, a link or a secret: the mail is built when it is
    sent (`cms.mail`), so password-reset and confirmation keys exist only in the mail
    itself. A job per row sends it; `send_pending_mail` re-queues rows whose job was lost.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("not needed any more")
        FAILED = "failed", _("gave up")

    builder = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Once-only per (recipient, event): e.g. "notification:<id>"; empty for one-off mails.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [models.Index(fields=["status", "enqueued_at"], name="outbox_status_idx")]

    def __str__(self):
        return f"{self.builder} #{self.pk} ({self.status})"
