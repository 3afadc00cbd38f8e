"""Which municipality an object belongs to, and the one check every route makes with it.

One installation serves many municipalities: an object reached through one site's hostname
must belong to that site, or the request is refused with a 404, whatever id was typed.
Pages belong to the site whose root they descend from; other objects name their page
(``obj.page``, ``obj.proposal``) or their site (``obj.site``).
"""

from django.http import Http404
from wagtail.models import Page, Site


def page_of(obj):
    """The page an object hangs on (itself for a page), or None."""
    if isinstance(obj, Page):
        return obj
    for name in ("page", "proposal", "debate", "poll"):
        page = getattr(obj, name, None)
        if isinstance(page, Page):
            return page
    return None


def _root_path(site):
    return Page.objects.filter(pk=site.root_page_id).values_list("path", flat=True).first() or ""


def site_paths(sites):
    """{site: its root page's tree path}, in one query, for matching many objects at once."""
    sites = list(sites)
    paths = dict(
        Page.objects.filter(pk__in=[site.root_page_id for site in sites]).values_list("pk", "path")
    )
    return {site: paths.get(site.root_page_id, "") for site in sites}


def site_among(obj, paths):
    """Which of the sites (from ``site_paths``) the object belongs to, or None."""
    page = page_of(obj)
    if page is None:
        site_id = getattr(obj, "site_id", None)
        return next((site for site in paths if site.pk == site_id), None)
    return next((site for site, path in paths.items() if path and page.path.startswith(path)), None)


def belongs_to(obj, site):
    """Whether the object is part of this municipality's site."""
    if site is None or obj is None:
        return False
    page = page_of(obj)
    if page is None:
        return getattr(obj, "site_id", None) == site.pk
    root = _root_path(site)
    return bool(root) and page.path.startswith(root)


def site_for(obj):
    """The municipality an object belongs to (its page's site, else its own site)."""
    page = page_of(obj)
    if page is not None:
        return page.get_site()
    return getattr(obj, "site", None)


def require_in_site(obj, request_or_site):
    """The object, if it belongs to the requesting site; otherwise a 404."""
    site = request_or_site
    if not isinstance(site, Site):
        site = Site.find_for_request(request_or_site)
    if not belongs_to(obj, site):
        raise Http404
    return obj


def staff_sites(user):
    """The municipalities whose pages this person may publish (all of them for superusers)."""
    if not user.is_authenticated or not user.is_active:
        return []
    sites = list(Site.objects.select_related("root_page").order_by("pk"))
    if user.is_superuser:
        return sites
    return [site for site in sites if site.root_page.permissions_for_user(user).can_publish()]


def pages_within(sites, lookup="path"):
    """A Q matching pages (through ``lookup``) that lie in any of these sites."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for path in site_paths(sites).values():
        if path:
            condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def sites_in_view(site):
    """This municipality and, for a province, its cities and counties: what its lists show."""
    from cms.models import MunicipalitySettings

    config = MunicipalitySettings.for_site(site)
    return [site, *(member.site for member in config.member_sites)]
