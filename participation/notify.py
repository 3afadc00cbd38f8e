"""Telling people what happened: an in-site notification and an email with an unsubscribe link.

Generic: ``notify(users, kind, obj)`` works for any page or model; the text comes from
MESSAGES by kind, in each recipient's language. The Notification rows and the outbox rows
of their emails are written in the transaction of the event itself, so an event that
commits is never left untold and one that rolls back tells nobody; cms.mail sends each
email once, built when it is sent.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from cms.links import absolute_path, absolute_url
from cms.mail import mail_builder, queue_mails, single_line

UNSUBSCRIBE_SALT = "participation.unsubscribe"
NOTIFICATION_MAIL = "participation.notify.build_notification_mail"
# Kinds that may happen more than once about one object; the others are told once per
# person and object, whatever happens twice (a database constraint holds it).
REPEATABLE_KINDS = {"moderation_requested", "changes_requested", "implementation", "debate_closed"}
# Other apps' kinds: callables returning {kind: (subject, body)}, read in the recipient's language.
_MESSAGE_PROVIDERS = []


def register_messages(provider, repeatable=()):
    """Let another app (budgets…) tell people through the same notifications and mails."""
    _MESSAGE_PROVIDERS.append(provider)
    REPEATABLE_KINDS.update(repeatable)
    return provider


def _messages():
    messages = _proposal_messages()
    for provider in _MESSAGE_PROVIDERS:
        messages.update(provider())
    return messages


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
            _("Its review screen, with the decision form, opens at the link below."),
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
        # Satisfaction (participation.satisfaction)
        "satisfaction": (
            _("How did it go? Rate “%(title)s”"),
            _(
                "Tell us in a minute what you think of the outcome and of the process "
                "(1 to 5). Your rating never shows how you voted."
            ),
        ),
    }


def event_key(kind, content_type, obj):
    if kind in REPEATABLE_KINDS:
        return f"{kind}:{content_type.pk}:{obj.pk}:{uuid.uuid4().hex}"
    return f"{kind}:{content_type.pk}:{obj.pk}"


def notify(users, kind, obj, note="", event=None):
    """Tell each of `users` (deduplicated, active) about `kind` on `obj`, in this transaction.

    `event` names the occurrence (default: the kind and the object, or a fresh id for
    repeatable kinds); a person gets one notification and one email per event.
    """
    user_ids = {user.pk for user in users if user is not None and user.pk}
    if not user_ids:
        return
    with transaction.atomic():
        _write(user_ids, kind, obj, note, event)


def _write(user_ids, kind, obj, note, event):
    from participation.models import EmailPreference, Notification

    content_type = ContentType.objects.get_for_model(obj)
    event = event or event_key(kind, content_type, obj)
    url = link_for(obj, kind)
    context = _context(obj, note)
    recipients = list(
        get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk")
    )
    rows = []
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject_template, body_template = _messages()[kind]
            rows.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    event=event,
                    content_type=content_type,
                    object_id=obj.pk,
                    title=(subject_template % context)[:200],
                    message=body_template % context,
                    url=url,
                )
            )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    unsubscribed = set(
        EmailPreference.objects.filter(user__in=recipients, email_notifications=False).values_list(
            "user_id", flat=True
        )
    )
    mailed = (
        Notification.objects.filter(event=event, recipient__in=recipients)
        .exclude(recipient__in=unsubscribed)
        .exclude(recipient__email="")
    )
    queue_mails(
        [
            (NOTIFICATION_MAIL, {"notification_id": pk}, f"notification:{pk}")
            for pk in mailed.order_by("pk").values_list("pk", flat=True)
        ]
    )


def _context(obj, note):
    from django.utils import formats, timezone

    deadline = getattr(obj, "support_deadline", None)
    stage = obj.get_stage_display() if hasattr(obj, "get_stage_display") else ""
    return {
        # A title is one line wherever it goes (a mail subject above all).
        "title": single_line(getattr(obj, "title", obj), limit=255),
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
    return absolute_url(
        index,
        index.reverse_subpage(
            "unsubscribe", kwargs={"user_id": user.pk, "token": unsubscribe_token(user.pk)}
        ),
    )


@mail_builder
def build_notification_mail(notification_id):
    """The email of one notification, built when it is sent (None: nobody to send it to)."""
    from participation.models import EmailPreference, Notification

    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None:
        return None
    user = notification.recipient
    if not user.is_active or not user.email or not EmailPreference.wants_email(user):
        return None
    target = notification.target
    with translation.override(user.language or settings.LANGUAGE_CODE):
        unsubscribe = unsubscribe_url(user, target) if target is not None else ""
        body = "\n\n".join(
            part
            for part in [
                notification.message,
                notification.url,
                _("To stop these emails, unsubscribe here: %(url)s") % {"url": unsubscribe}
                if unsubscribe
                else "",
            ]
            if part
        )
    headers = {"List-Unsubscribe": f"<{unsubscribe}>"} if unsubscribe else {}
    return EmailMessage(notification.title, body, None, [user.email], headers=headers)


def link_for(obj, kind):
    """The absolute address a notification about `obj` points to (the one place mails get links).

    Committee members are sent to their review screen and moderators to the page in the
    admin, authors of a proposal not yet public to its preview, everyone else to the public
    page; all on the municipality's own address (its Wagtail Site).
    """
    from django.urls import reverse

    from participation.models import ProposalPage

    if kind == "satisfaction" and hasattr(obj, "get_site"):
        return absolute_path(obj.get_site(), reverse("satisfaction_rate", args=[obj.pk]))
    if kind == "review_requested" and hasattr(obj, "get_site"):
        return absolute_path(obj.get_site(), reverse("participation_review", args=[obj.pk]))
    if kind in {"moderation_requested", "debate_pending"} and hasattr(obj, "get_site"):
        return absolute_path(obj.get_site(), reverse("wagtailadmin_pages:edit", args=[obj.pk]))
    if isinstance(obj, ProposalPage) and not obj.live:
        # Not public yet: its author reads it on their own preview.
        index = obj.get_parent().specific
        return absolute_url(index, index.reverse_subpage("preview", kwargs={"proposal_id": obj.pk}))
    if hasattr(obj, "get_url_parts"):
        return absolute_url(obj)
    return obj.get_full_url() if hasattr(obj, "get_full_url") else ""
