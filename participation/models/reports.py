"""Reports, the moderation log and user blocks: generic, for proposals, comments and debates.

A reportable model has a boolean ``hidden`` field; enough reports from different people
set it until a moderator restores the object or upholds the reports.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Offensive or abusive")
        OFF_TOPIC = "off_topic", _("Off-topic")
        PERSONAL_DATA = "personal_data", _("Exposes personal data")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        UPHELD = "upheld", _("Upheld")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("details"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "content_type", "object_id"],
                name="one_report_per_user_and_object",
            )
        ]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.content_type.model} {self.object_id}"

    @classmethod
    def file(cls, reporter, obj, site, reason, note=""):
        """Record a report; hide the object once enough different people have reported it.

        Returns False when this person had already reported it.
        """
        from participation.models import ParticipationSettings

        content_type = ContentType.objects.get_for_model(obj)
        try:
            with transaction.atomic():
                cls.objects.create(
                    reporter=reporter,
                    site=site,
                    content_type=content_type,
                    object_id=obj.pk,
                    reason=reason,
                    note=note,
                )
        except IntegrityError:
            return False
        open_reports = cls.objects.filter(
            content_type=content_type, object_id=obj.pk, status=cls.Status.OPEN
        )
        limit = ParticipationSettings.for_site(site).reports_to_hide
        if (
            not getattr(obj, "hidden", True)
            and open_reports.values("reporter").distinct().count() >= limit
        ):
            set_hidden(
                obj,
                True,
                actor=None,
                site=site,
                reason=_("Reported by %(n)d people") % {"n": limit},
            )
        return True


def set_hidden(obj, hidden, *, actor, site, reason=""):
    """Hide or restore any reportable object, and log who did it and why.

    The change is a conditional update (``WHERE hidden = <the other value>``): of requests
    racing to hide the same thing, one changes the row and logs it; the others change
    nothing and log nothing. Returns whether this call made the change.
    """
    changed = type(obj)._default_manager.filter(pk=obj.pk, hidden=not hidden).update(hidden=hidden)
    obj.hidden = hidden
    if not changed:
        return False
    ModerationAction.log(
        site,
        ModerationAction.Action.HIDE if hidden else ModerationAction.Action.RESTORE,
        actor,
        reason,
        target=obj,
    )
    if hasattr(obj, "record"):
        from participation.models import ProposalEvent

        kind = ProposalEvent.Kind.HIDDEN if hidden else ProposalEvent.Kind.RESTORED
        obj.record(kind, actor=actor, note=str(reason), public=False)
    return True


class ModerationAction(models.Model):
    """Who did what to which content or person, when and why."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        DISMISS = "dismiss", _("Reports dismissed")
        BLOCK = "block", _("User blocked")
        UNBLOCK = "unblock", _("User unblocked")
        APPROVE = "approve", _("Approved at moderation")
        REJECT = "reject", _("Rejected at moderation")
        REQUEST_CHANGES = "request_changes", _("Changes requested")
        DECIDE = "decide", _("Committee decision")
        IMPLEMENTATION = "implementation", _("Implementation update")

    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation log")

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @classmethod
    def log(cls, site, action, actor, reason="", *, target=None, target_user=None):
        fields = {}
        if target is not None:
            fields = {
                "content_type": ContentType.objects.get_for_model(target),
                "object_id": target.pk,
            }
        return cls.objects.create(
            site=site,
            action=action,
            actor=actor,
            reason=str(reason),
            target_user=target_user,
            **fields,
        )


class UserBlock(models.Model):
    """A blocked person can still read, but cannot write (propose, support, report, comment)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Leave empty to block on every municipality's site."),
    )
    reason = models.TextField(_("reason"))
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("blocked user")
        verbose_name_plural = _("blocked users")
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_block_per_user_and_site")
        ]

    def __str__(self):
        return str(self.user)
