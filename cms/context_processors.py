from django.conf import settings
from wagtail.models import Site

from cms.colour import mix
from cms.models import MunicipalitySettings


def municipality(request):
    """The current municipality's settings and theme, for every template."""
    site = Site.find_for_request(request)
    if site is None:
        return {"municipality": None, "site_root": None, "languages": settings.LANGUAGES}
    config = MunicipalitySettings.for_site(site)
    colour = config.primary_colour or "#0b50d0"
    return {
        "municipality": config,
        "current_site": site,
        "site_root": site.root_page,
        "languages": settings.LANGUAGES,
        "theme": {
            "primary": colour,
            "primary_dark": mix(colour, "#000000", 0.25),
            "primary_light": mix(colour, "#ffffff", 0.9),
        },
    }
