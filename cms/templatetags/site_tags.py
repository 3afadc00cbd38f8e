from django import template
from wagtail.models import Site

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context):
    """The current site's top-level pages marked "show in menus", in tree order."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    return list(site.root_page.get_children().live().in_menu().public().specific())


@register.simple_tag(takes_context=True)
def site_url(context, site):
    """The address of another municipality's site, on the port this request came in on.

    Sites are stored on the standard ports; a local demo on :8000 keeps its port.
    """
    request = context.get("request")
    if request is None:
        return site.root_url + "/"
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    if site.port in (80, 443) and port not in ("", "80", "443"):
        return f"{request.scheme}://{site.hostname}:{port}/"
    return site.root_url + "/"
