"""Who may do what in participation: small predicates used by views, templates and tasks alike."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from participation.models import ParticipationSettings, ProposalPage, UserBlock


def _cached(user, key, compute):
    cache = user.__dict__.setdefault("_participation_permissions", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def has_verified_email(user):
    return user.is_authenticated and _cached(
        user, "verified", lambda: EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def is_blocked(user, site):
    site_id = getattr(site, "pk", None)
    return user.is_authenticated and _cached(
        user,
        ("blocked", site_id),
        lambda: (
            UserBlock.objects.filter(user=user)
            .filter(Q(site__isnull=True) | Q(site_id=site_id))
            .exists()
        ),
    )


def can_write(user, site):
    """Signed in, active, verified email, not blocked: may propose, support, report, comment."""
    if not (user.is_authenticated and user.is_active):
        return False
    _load_writer_facts(user, site)
    return has_verified_email(user) and not is_blocked(user, site)


def _load_writer_facts(user, site):
    """Both facts can_write needs, in one query (every write asks for both)."""
    site_id = getattr(site, "pk", None)
    known = user.__dict__.setdefault("_participation_permissions", {})
    if "verified" in known and ("blocked", site_id) in known:
        return
    verified, blocked = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            blocked=Exists(
                UserBlock.objects.filter(user=OuterRef("pk")).filter(
                    Q(site__isnull=True) | Q(site_id=site_id)
                )
            ),
        )
        .values_list("verified", "blocked")
        .get()
    )
    known["verified"], known[("blocked", site_id)] = verified, blocked


def _in_group(user, group_id):
    return bool(
        group_id
        and user.is_authenticated
        and _cached(user, ("group", group_id), lambda: user.groups.filter(pk=group_id).exists())
    )


def is_moderator(user, site):
    if not user.is_authenticated:
        return False
    return user.is_superuser or _cached(
        user,
        ("moderator", getattr(site, "pk", None)),
        lambda: _in_group(user, ParticipationSettings.for_site(site).moderators_group_id),
    )


def is_committee_member(user, site):
    return _in_group(user, ParticipationSettings.for_site(site).committee_group_id)


def moderated_sites(user):
    """The sites whose moderation queue this person works."""
    settings = ParticipationSettings.objects.select_related("site")
    if not user.is_superuser:
        settings = settings.filter(moderators_group__in=user.groups.all())
    return [config.site for config in settings]


def reviewed_sites(user):
    """The sites whose committee this person sits on (every site for superusers)."""
    settings = ParticipationSettings.objects.select_related("site")
    if not user.is_superuser:
        settings = settings.filter(committee_group__in=user.groups.all())
    return [config.site for config in settings]


def can_see_hidden(user, obj, site):
    """Hidden content stays visible to its author and the site's moderators."""
    if not obj.hidden:
        return True
    return user.is_authenticated and (obj.author_id == user.pk or is_moderator(user, site))


def can_see_proposal(user, proposal, site):
    return can_see_hidden(user, proposal, site)


def can_edit_proposal(user, proposal, site):
    return (
        proposal.author_id == getattr(user, "pk", None)
        and proposal.stage in ProposalPage.EDITABLE_STAGES
        and can_write(user, site)
    )


def can_withdraw_proposal(user, proposal, site):
    return (
        proposal.author_id == getattr(user, "pk", None)
        and proposal.stage in ProposalPage.WITHDRAWABLE_STAGES
        and can_write(user, site)
    )


def can_support(user, proposal, site):
    return proposal.support_open and not proposal.hidden and can_write(user, site)


def can_report(user, site):
    return can_write(user, site)


# Debates and comments


def can_comment(user, page, site):
    return page.comments_open() and can_write(user, site)


def can_edit_comment(user, comment, window_minutes, now=None):
    from django.utils import timezone

    return (
        comment.author_id == getattr(user, "pk", None)
        and not comment.is_deleted
        and not comment.hidden
        and (now or timezone.now()) < comment.editable_until(window_minutes)
    )


def can_delete_comment(user, comment, site):
    if comment.is_deleted or not user.is_authenticated:
        return False
    return comment.author_id == user.pk or is_moderator(user, site)


def can_vote_comment(user, comment, site):
    return (
        not comment.is_deleted
        and not comment.hidden
        and comment.author_id != getattr(user, "pk", None)
        and can_write(user, site)
    )


def can_close_debate(user, debate, site):
    """Staff who moderate this site, or who may publish the page in the admin."""
    if not user.is_authenticated or debate.closed_at:
        return False
    return is_moderator(user, site) or debate.permissions_for_user(user).can_publish()


def can_vote_debate(user, debate, site):
    return debate.status == "open" and not debate.hidden and can_write(user, site)
