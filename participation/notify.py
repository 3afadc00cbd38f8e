"""Telling people what happened: an in-site notification and an email with an unsubscribe link.

Generic: ``notify(users, kind, obj)`` works for any page or model; the text comes from
MESSAGES by kind, in each recipient's language, when the job runs.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from rq import get_current_job

from cms.jobs import enqueue
from cms.mail import deliver

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "participation.unsubscribe"


def _proposal_messages():
    return {
        "submitted": (
            _("Your proposal “%(title)s” was submitted"),
            _("Moderators will check it soon."),
        ),
        "moderation_requested": (
            _("A proposal awaits moderation: “%(title)s”"),
            _("Open it in the administration under “Awaiting your review”."),
        ),
        "changes_requested": (
            _("Changes requested for “%(title)s”"),
            _("The moderators ask you to change your proposal: %(note)s"),
        ),
        "rejected": (_("“%(title)s” was not published"), _("Reason: %(note)s")),
        "published": (
            _("“%(title)s” is published"),
            _("Supports are open until %(deadline)s. It needs %(threshold)s supports."),
        ),
        "threshold_reached": (
            _("“%(title)s” reached %(threshold)s supports"),
            _("It now goes to committee review."),
        ),
        "review_requested": (
            _("A proposal awaits your committee's review: “%(title)s”"),
            _("Open it in the administration under “Awaiting your review”."),
        ),
        "lapsed": (
            _("Supports for “%(title)s” have closed"),
            _("It did not reach the %(threshold)s supports needed in time."),
        ),
        "answered": (_("The committee answered “%(title)s”: %(stage)s"), "%(note)s"),
        "withdrawn": (_("“%(title)s” was withdrawn"), "%(note)s"),
        "implementation": (_("Implementation update on “%(title)s”"), "%(note)s"),
        # Debates and comments
        "comment": (_("New comment on “%(title)s”"), "%(note)s"),
        "comment_reply": (_("New reply to your comment on “%(title)s”"), "%(note)s"),
        "debate_pending": (
            _("A debate awaits moderation: “%(title)s”"),
            _("Publish it in the administration if it may go live."),
        ),
        "debate_closed": (_("The debate “%(title)s” is closed"), "%(note)s"),
    }


def notify(users, kind, obj, note=""):
    """Queue notifications of `kind` about `obj` to each of `users` (deduplicated, after commit)."""
    user_ids = sorted({user.pk for user in users if user is not None and user.pk})
    if not user_ids:
        return
    content_type = ContentType.objects.get_for_model(obj)
    if get_current_job() is not None:
        # Already background work (e.g. the threshold job): no need to queue again.
        send_notifications(user_ids, kind, content_type.pk, obj.pk, str(note))
    else:
        enqueue(send_notifications, user_ids, kind, content_type.pk, obj.pk, str(note))


def _context(obj, note):
    from django.utils import formats, timezone

    deadline = getattr(obj, "support_deadline", None)
    stage = obj.get_stage_display() if hasattr(obj, "get_stage_display") else ""
    return {
        "title": str(getattr(obj, "title", obj)),
        "note": note,
        "stage": stage,
        "threshold": getattr(obj, "support_threshold", ""),
        "deadline": formats.date_format(timezone.localtime(deadline), "DATE_FORMAT")
        if deadline
        else "",
    }


def unsubscribe_token(user_id):
    """A token that proves the link was ours (Wagtail page routes allow only [\\w-] characters)."""
    return salted_hmac(UNSUBSCRIBE_SALT, str(user_id), algorithm="sha256").hexdigest()[:40]


def check_unsubscribe_token(user_id, token):
    return constant_time_compare(unsubscribe_token(user_id), token)


def unsubscribe_url(user, obj):
    from participation.models import ProposalIndexPage

    site = obj.get_site() if hasattr(obj, "get_site") else None
    indexes = ProposalIndexPage.objects.live()
    if site is not None:
        indexes = indexes.descendant_of(site.root_page)
    index = indexes.first() or ProposalIndexPage.objects.live().first()
    if index is None:
        return ""
    return index.get_full_url() + index.reverse_subpage(
        "unsubscribe", kwargs={"user_id": user.pk, "token": unsubscribe_token(user.pk)}
    )


def send_notifications(user_ids, kind, content_type_id, object_id, note=""):
    """The job: one Notification row per person, and an email to those who still want them.

    It runs as an rq job already, so it sends the emails itself rather than queueing more.
    """
    from participation.models import EmailPreference, Notification

    content_type = ContentType.objects.get_for_id(content_type_id)
    obj = content_type.get_object_for_this_type(pk=object_id)
    url = obj.get_full_url() if hasattr(obj, "get_full_url") else ""
    context = _context(obj, note)
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject_template, body_template = _proposal_messages()[kind]
            title = subject_template % context
            message = body_template % context
            Notification.objects.create(
                recipient=user,
                kind=kind,
                content_type=content_type,
                object_id=object_id,
                title=title[:200],
                message=message,
                url=url,
            )
            if not EmailPreference.wants_email(user):
                continue
            unsubscribe = unsubscribe_url(user, obj)
            body = "\n\n".join(
                part
                for part in [
                    message,
                    url,
                    _("To stop these emails, unsubscribe here: %(url)s") % {"url": unsubscribe}
                    if unsubscribe
                    else "",
                ]
                if part
            )
            headers = {"List-Unsubscribe": f"<{unsubscribe}>"} if unsubscribe else {}
            try:
                deliver(title, body, [user.email], headers=headers)
            except Exception:  # one bad address must not stop the others
                logger.exception("Could not email notification %s to user %s", kind, user.pk)
