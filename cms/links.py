"""Addresses of pages for what leaves the site (mails, feeds, the API).

Inside a site every link is relative, built from the request (`page.get_url(request)`).
What is read elsewhere needs the whole address, and the one place that knows it is the
municipality's Wagtail `Site`: its hostname, its port and, from the port, the scheme
(443 is https). The demo registers its sites on the port it serves on, so these links work
there as they do in production.
"""

from wagtail.models import Site


def site_address(site):
    """`scheme://hostname[:port]` of a Wagtail site, without a trailing slash."""
    return site.root_url


def absolute_url(page, suffix=""):
    """The whole address of a page (plus `suffix`, e.g. a subpage route), from its own site.

    Empty when the page is not routable (outside every site).
    """
    parts = page.get_url_parts()
    if parts is None:
        return ""
    _site_id, root_url, page_path = parts
    return f"{root_url}{page_path}{suffix}"


def absolute_path(site, path):
    """The whole address of `path` (starting with "/") on `site`; for admin or account views."""
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return path
    return f"{site_address(site)}{path}"
