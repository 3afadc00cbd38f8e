"""Wagtail's own interface strings whose Korean we correct in cms's catalogue.

cms comes before wagtail in INSTALLED_APPS, so its translation wins. Marked here so that
`make messages` keeps them in cms/locale.
"""

from django.utils.translation import gettext_noop

CORRECTED = [
    gettext_noop(
        "Awaiting your review"
    ),  # Wagtail's Korean reads "waiting for your reviews (of a product)"
]
