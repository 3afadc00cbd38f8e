"""drf-spectacular hooks."""


def only_public_api(endpoints, **kwargs):
    """The schema describes our public API only, whatever URLconf it is generated from (the
    deploy check generates it from the site's root URLconf, where Wagtail's admin API lives)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
