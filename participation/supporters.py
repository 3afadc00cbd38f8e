"""Who may support a municipality's proposals: its `MunicipalitySettings.support_rule`.

Under the residents rule, participation asks "is this person a verified resident of this
municipality?" without knowing how residency is verified: voting knows (and participation
never imports voting), so voting registers the check here in its AppConfig.ready. With no
check registered, the residents rule refuses everyone rather than let anyone through.
"""

from django.utils.translation import gettext as _

from cms.models import MunicipalitySettings

_residency = {"check": None, "url": None}


def register_residency_check(check, verify_url=None):
    """check(user, site) -> None if a resident, else a sentence saying why not;
    verify_url(site, request) -> where a citizen can become a verified resident, or None."""
    _residency["check"] = check
    _residency["url"] = verify_url


def refusal(user, site):
    """None if this person may support this site's proposals, else the reason, translated."""
    if MunicipalitySettings.for_site(site).support_rule == MunicipalitySettings.SupportRule.EMAIL:
        return None
    if _residency["check"] is None:
        return _("Only verified residents may support proposals here.")
    return _residency["check"](user, site)


def verify_url(site, request=None):
    return _residency["url"](site, request) if _residency["url"] else None
