"""Voting's part of what the platform holds about a person: that they took part, never how."""

from django.utils.translation import gettext_lazy as _

from cms.personal_data import register
from voting.models import Participation


@register("poll_participation", _("Polls you took part in"), order=30)
def participation_rows(user):
    return [
        {"poll": row.contest.title, "voted_on": row.voted_on}
        for row in Participation.objects.filter(user=user).select_related("contest").order_by("pk")
    ]
