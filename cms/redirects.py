"""Redirects to where the visitor came from, only ever within the site that served them.

``next`` parameters and the ``Referer`` header are written by whoever sent the request: a
target is followed only if it is a path or a URL on the requesting host, and is never
looked up as a URL name (``redirect("zzz")`` would try to reverse it and fail with a 500).
"""

from urllib.parse import urlsplit

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_target(request, target, fallback="/"):
    """The target if it stays on this host (a path or a same-host URL), else the fallback."""
    if not target or not isinstance(target, str):
        return fallback
    parts = urlsplit(target)
    looks_like_url = target.startswith("/") or parts.scheme in ("http", "https")
    if looks_like_url and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def redirect_next(request, fallback):
    """Back to the ``next`` the form carried, if it is safe."""
    target = request.POST.get("next") or request.GET.get("next")
    return HttpResponseRedirect(safe_target(request, target, fallback))


def redirect_back(request, fallback="/"):
    """Back to the page that sent the visitor (``Referer``), if it is on this site."""
    return HttpResponseRedirect(safe_target(request, request.META.get("HTTP_REFERER"), fallback))
