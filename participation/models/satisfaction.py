"""Satisfaction: invitations to rate an outcome, the ratings, and "was this helpful?" on pages.

The subject of an invitation or a rating is a page: the answered proposal, the poll whose
result was published, or the budget whose result was published. One invitation and one
rating per person and subject, held by the database. A rating records only that the person
rated and what they thought of the answer and the process: never how they voted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCORES = [(score, str(score)) for score in range(1, 6)]


class SatisfactionInvitation(models.Model):
    subject = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="satisfaction_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="satisfaction_invitations"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction invitation")
        verbose_name_plural = _("satisfaction invitations")
        constraints = [
            models.UniqueConstraint(fields=["subject", "user"], name="satisfaction_invited_once")
        ]

    def __str__(self):
        return f"{self.user_id} → {self.subject_id}"


class SatisfactionRating(models.Model):
    subject = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="satisfaction_ratings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="satisfaction_ratings"
    )
    answer_score = models.PositiveSmallIntegerField(_("the answer or result"), choices=SCORES)
    process_score = models.PositiveSmallIntegerField(_("the process"), choices=SCORES)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(fields=["subject", "user"], name="satisfaction_rated_once"),
            models.CheckConstraint(
                condition=Q(answer_score__gte=1, answer_score__lte=5)
                & Q(process_score__gte=1, process_score__lte=5),
                name="satisfaction_scores_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.subject_id}: {self.answer_score}/{self.process_score}"


class PageFeedback(models.Model):
    """One "was this helpful?" answer per page and person (signed in) or browser session."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="page_feedback",
    )
    session_key = models.CharField(max_length=64, blank=True, default="")
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("page feedback")
        verbose_name_plural = _("page feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "user"],
                condition=Q(user__isnull=False),
                name="page_feedback_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["page", "session_key"],
                condition=Q(user__isnull=True),
                name="page_feedback_once_per_session",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""),
                name="page_feedback_has_someone",
            ),
        ]

    def __str__(self):
        return f"{self.page_id}: {self.helpful}"
