"""Per-municipality participation configuration: who moderates, who decides, and the categories."""

from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import register_setting
from wagtail.models import Site

from cms.site_settings import CachedSiteSetting


@register_setting(icon="group")
class ParticipationSettings(CachedSiteSetting):
    """Who moderates and who sits on the committee of one municipality, and the report rules.

    The support threshold and window live in cms.MunicipalitySettings.
    """

    moderators_group = models.ForeignKey(
        Group,
        verbose_name=_("moderators"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Members moderate this municipality's proposals and reports."),
    )
    committee_group = models.ForeignKey(
        Group,
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Members review proposals that reach the threshold and answer them."),
    )
    reports_to_hide = models.PositiveSmallIntegerField(
        _("reports before hiding"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Content reported by this many different people is hidden until a moderator looks."
        ),
    )
    max_upload_mb = models.PositiveSmallIntegerField(
        _("largest upload (MB)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    committee_days = models.PositiveSmallIntegerField(
        _("days the committee has to answer"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Counted from the day a proposal reaches its supports; the due date is shown "
            "to the committee and on the proposal's page."
        ),
    )

    panels = [
        FieldPanel("moderators_group"),
        FieldPanel("committee_group"),
        FieldPanel("committee_days"),
        FieldPanel("reports_to_hide"),
        FieldPanel("max_upload_mb"),
    ]

    class Meta:
        verbose_name = _("participation settings")


class SiteCategory(models.Model):
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("site"), FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Topic(SiteCategory):
    """A policy field a proposal belongs to (교통, 환경, 복지 ...), managed per site."""

    class Meta(SiteCategory.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_topic_per_site")
        ]


class Area(SiteCategory):
    """A district of the municipality that a proposal concerns."""

    class Meta(SiteCategory.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_area_per_site")
        ]
