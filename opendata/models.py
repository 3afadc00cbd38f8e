"""The latest open data bundle of each municipality."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site


def bundle_path(instance, filename):
    return f"opendata/{instance.site_id}/{filename}"


class OpenDataBundle(models.Model):
    """The ZIP of CSV files last built for a site (opendata.bundle), kept in the default storage."""

    site = models.OneToOneField(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="open_data_bundle"
    )
    file = models.FileField(_("file"), upload_to=bundle_path)
    built_at = models.DateTimeField(_("built at"))
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    licence = models.CharField(_("licence"), max_length=12)
    rows = models.JSONField(_("rows per file"), default=dict)

    class Meta:
        verbose_name = _("open data bundle")

    def __str__(self):
        return f"{self.site} {self.built_at:%Y-%m-%d}"
