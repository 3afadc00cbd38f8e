"""Implementation updates: staff reports on carrying out what was decided, for any page.

A proposal the committee adopted and a budget project that was funded are both carried out
and reported on the same way: dated updates with a status, a percentage and a note, shown
on the page's timeline. An update belongs to a Wagtail page; the page type decides what
happens when one is posted (``implementation_posted``) and which of its pages may get
updates (``register_trackable``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

# Callables returning a queryset of pages that may get implementation updates.
_TRACKABLE = []


def register_trackable(pages):
    """Let the pages `pages()` returns get implementation updates (each app registers its own)."""
    _TRACKABLE.append(pages)
    return pages


def trackable_pages():
    from wagtail.models import Page

    condition = Q(pk__in=[])
    for pages in _TRACKABLE:
        condition |= Q(pk__in=pages().values("pk"))
    return Page.objects.filter(condition).order_by("title")


class ImplementationTracked(models.Model):
    """A page type carried out after a decision: its updates, newest first, and the latest."""

    class Meta:
        abstract = True

    @cached_property
    def implementation_timeline(self):
        return list(ImplementationUpdate.objects.filter(page_id=self.pk).order_by("-date", "-pk"))

    @cached_property
    def latest_implementation(self):
        timeline = self.implementation_timeline
        return timeline[0] if timeline else None

    def implementation_posted(self, update):
        """What posting an update does besides storing it (page types add their own)."""


class ImplementationUpdate(models.Model):
    """Staff report on carrying out an adopted proposal or a funded project."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DELAYED = "delayed", _("Delayed")
        COMPLETED = "completed", _("Completed")

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("proposal or project"),
        on_delete=models.CASCADE,
        related_name="implementation_updates",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    date = models.DateField(_("date"), default=timezone.localdate)
    note = models.TextField(_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("page"),
        FieldPanel("status"),
        FieldPanel("progress"),
        FieldPanel("date"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="implementation_progress_at_most_100"
            )
        ]

    def __str__(self):
        return f"{self.page} — {self.get_status_display()} {self.progress}%"

    def save(self, *args, **kwargs):
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            page = self.page.specific
            if isinstance(page, ImplementationTracked):
                page.implementation_posted(self)
