"""Certified identity providers (본인인증): one small interface, chosen per municipality.

A provider confirms who a person is and returns their CI (connecting information) and
date of birth. The flow, driven by voting.verification_views:

1. ``provider.start(request, urls)`` answers with the provider's window: a redirect or an
   auto-submitting form to the vendor (PASS, NICE, KCB ...), or, for the demo, a page of
   ours. ``urls.callback`` is where the vendor must send the person back.
2. The vendor sends the person to ``urls.callback``; ``provider.complete(request)``
   checks and decodes the answer and returns an ``IdentityResult`` or raises
   ``IdentityError`` with a sentence for the person.

Installations list the providers they have contracts with in
``settings.IDENTITY_PROVIDERS`` (key → dotted path); municipalities pick one in their
"Voting and eligibility" settings. We keep only a keyed hash of the CI (voting.hashing).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class IdentityResult:
    ci: str
    birth_date: datetime.date


@dataclass(frozen=True)
class ProviderUrls:
    callback: str  # where the provider sends the person back
    window: str  # a page of ours a provider may use as its window (the demo does)


class IdentityError(Exception):
    """The provider could not confirm the person; the message is for them."""


class IdentityProvider:
    key = ""
    label = ""

    def start(self, request, urls):  # pragma: no cover - interface
        raise NotImplementedError

    def window(self, request, urls):
        """Only for providers whose window is served by this site (the demo)."""
        from django.http import Http404

        raise Http404

    def complete(self, request):  # pragma: no cover - interface
        raise NotImplementedError


def get_provider(key):
    path = getattr(settings, "IDENTITY_PROVIDERS", {}).get(key)
    return import_string(path)() if path else None


def choices():
    return [(key, get_provider(key).label) for key in getattr(settings, "IDENTITY_PROVIDERS", {})]
