from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from cms import page_cache
from cms.links import site_address

register = template.Library()


MENU_SECONDS = 3600


@register.simple_tag(takes_context=True)
def site_menu(context):
    """The current site's top-level pages marked "show in menus", in tree order.

    Kept in the cache per site (as title, address and id) until a page is published,
    unpublished, moved or deleted (cms/page_cache.py starts a new generation), so a page
    costs no menu query.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    key = f"menu:{page_cache.generation()}:{site.pk}:{request.get_host()}"
    menu = cache.get(key)
    if menu is None:
        menu = [
            {"pk": page.pk, "title": page.title, "url": page.get_url(request)}
            for page in site.root_page.get_children().live().in_menu().public()
        ]
        cache.set(key, menu, MENU_SECONDS)
    return menu


@register.simple_tag
def site_url(site):
    """The address of another municipality's site, from its own Site (hostname and port)."""
    return site_address(site) + "/"


def _own_site(page, request):
    """The page's Site: the request's (already found, no query) when the page is in it."""
    if request is not None:
        current = Site.find_for_request(request)
        parts = page.get_url_parts(request)  # from Wagtail's cached site root paths
        if current is not None and parts and parts[0] == current.pk:
            return current
    return page.get_site()


def _absolute(site, path):
    return f"{site.root_url}{path}" if site else path


@register.simple_tag(takes_context=True)
def page_meta(context):
    """Description, canonical address, Open Graph title and image for the page being shown.

    Addresses are absolute, from the page's own Site (the request's when no page is shown),
    so a link shared from any host points at the municipality's real address.
    """
    request = context.get("request")
    page = context.get("page")
    page = getattr(page, "specific", None) if isinstance(page, Page) else None
    site = None
    if page is not None:
        site = _own_site(page, request)
    if site is None and request is not None:
        site = Site.find_for_request(request)
    municipality = context.get("municipality")
    site_name = municipality.display_name if municipality else settings.WAGTAIL_SITE_NAME

    description = ""
    if page is not None:
        description = page.search_description or next(
            (getattr(page, name) for name in ("summary", "intro") if getattr(page, name, "")), ""
        )
    if not description:
        description = _("Citizen participation in %(name)s: debates, proposals and polls.") % {
            "name": site_name
        }
    description = Truncator(strip_tags(description).replace("\n", " ")).chars(160)

    title = site_name
    if page is not None and not page.is_root():
        title = page.seo_title or page.title

    image = None
    social = getattr(page, "social_image", None)
    if callable(social):
        image = social()
    if image is None and municipality and municipality.logo_id:
        rendition = municipality.logo.get_rendition("max-1200x630|format-png")
        image = {
            "url": rendition.url,
            "width": rendition.width,
            "height": rendition.height,
            "alt": municipality.logo.default_alt_text or site_name,
        }
    if image is not None and not image["url"].startswith(("http://", "https://")):
        image = {**image, "url": _absolute(site, image["url"])}

    path = request.path if request is not None else (page.url if page else "/")
    return {
        "title": title,
        "description": description,
        "canonical": _absolute(site, path),
        "site_name": site_name,
        "type": "article" if page is not None and page.depth > 2 else "website",
        "image": image,
    }
