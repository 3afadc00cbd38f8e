"""What the platform holds about a person, gathered from every app for the account page.

``cms`` imports no app: each app registers its part in a ``personal_data`` module of its
own, found at start-up (``autodiscover``). A part is a label and a function that returns
rows (dicts of plain values) for one user.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    rows: callable
    order: int = 100


_parts = {}


def register(key, label, order=100):
    """Decorator: ``@register("supports", _("Supports"))`` on a ``rows(user)`` function."""

    def decorator(function):
        _parts[key] = Part(key, label, function, order)
        return function

    return decorator


def autodiscover():
    autodiscover_modules("personal_data")


def parts():
    return sorted(_parts.values(), key=lambda part: (part.order, part.key))


def collect(user):
    """Every registered part's rows for the user: [(part, rows)], in a stable order."""
    return [(part, list(part.rows(user))) for part in parts()]


def as_zip(user):
    """A ZIP with everything as one JSON file and one CSV per part (UTF-8 with BOM for Excel)."""
    collected = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(
                {part.key: rows for part, rows in collected},
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
                indent=2,
            ),
        )
        for part, rows in collected:
            if not rows:
                continue
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(f"{part.key}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


# The account itself: cms's own part.

from django.utils.translation import gettext_lazy as _  # noqa: E402


@register("account", _("Account"), order=0)
def account_rows(user):
    return [
        {
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        }
    ]


@register("email_addresses", _("Email addresses"), order=1)
def email_rows(user):
    from allauth.account.models import EmailAddress

    return [
        {"email": row.email, "verified": row.verified, "primary": row.primary}
        for row in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


@register("consents", _("Consents"), order=2)
def consent_rows(user):
    return [
        {
            "consent_to": row.get_kind_display(),
            "version": row.version,
            "site": row.site.hostname if row.site else "",
            "given_at": row.given_at,
        }
        for row in user.consents.select_related("site").order_by("given_at", "pk")
    ]
