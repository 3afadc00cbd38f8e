"""Who may do what in voting. Citizens' eligibility lives in voting.eligibility."""

from wagtail.models import Site


def staff_sites(user):
    """The municipalities whose voters this person manages: where they may publish pages."""
    if not user.is_authenticated or not user.is_active:
        return Site.objects.none()
    sites = Site.objects.select_related("root_page").order_by("site_name")
    if user.is_superuser:
        return sites
    allowed = [site.pk for site in sites if site.root_page.permissions_for_user(user).can_publish()]
    return Site.objects.filter(pk__in=allowed).order_by("site_name")


def can_manage_voters(user, site=None):
    """Import a census and approve residents (needs the model permission and the site)."""
    if not user.is_authenticated:
        return False
    if not user.has_perm("voting.add_voterverification"):
        return False
    return site is None or staff_sites(user).filter(pk=site.pk).exists()


def can_manage_poll(user, poll):
    return user.is_authenticated and poll.permissions_for_user(user).can_publish()


def can_see_results(user, poll):
    """Everyone once results are due, and nobody before: not even staff can count sealed
    ballots of a poll whose results come after the close."""
    return poll.results_visible()
