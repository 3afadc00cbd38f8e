"""May this person do this here, and if not, why: one answer for views, templates and the API.

    decision = check(user, site, action="vote", rule=poll.rule)
    decision.allowed   # bool
    decision.reasons   # translated sentences to show the person
    decision.missing   # stable codes: login, email, residency, residency_pending, age, district

Participatory budgets call the same function with their own `Rule`.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import MunicipalitySettings


@dataclass(frozen=True)
class Rule:
    """What a process asks of its voters on top of the municipality's settings."""

    residents_only: bool = True
    minimum_age: int | None = None  # None: the municipality's setting
    district: str = ""


@dataclass
class Decision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    verification: object = None
    pending_request: object = None

    def __bool__(self):
        return self.allowed


def residency_sites(site):
    """The sites whose residents count as residents of `site`: itself, and a province's cities."""
    config = MunicipalitySettings.for_site(site)
    sites = [site.pk]
    if config.kind == MunicipalitySettings.Kind.PROVINCE:
        sites += list(
            MunicipalitySettings.objects.filter(parent_province=site).values_list(
                "site_id", flat=True
            )
        )
    return sites


def verification_for(user, site):
    from voting.models import VoterVerification

    sites = residency_sites(site)
    rows = VoterVerification.objects.current().filter(user=user, site_id__in=sites)
    # Prefer the municipality's own verification over one of its cities'.
    return min(rows, key=lambda row: row.site_id != site.pk, default=None)


def has_verified_email(user):
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def may_support(user, site):
    """The residents rule for supports (participation.supporters): None, or why not."""
    if verification_for(user, site) is not None:
        return None
    name = MunicipalitySettings.for_site(site).display_name
    return _("Only verified residents of %(name)s may support its proposals.") % {"name": name}


def verify_url(site, request=None):
    """The municipality's "Can I vote?" page, where a citizen becomes a verified resident."""
    from voting.models import PollIndexPage

    index = PollIndexPage.objects.live().descendant_of(site.root_page).first()
    if index is None:
        return None
    return index.get_url(request=request) + index.reverse_subpage("eligibility")


def check(user, site, action="vote", rule=None, today=None):
    from voting.models import VerificationRequest, VotingSettings

    rule = rule or Rule()
    if user is None or not user.is_authenticated:
        return Decision(False, [_("Log in to take part.")], ["login"])
    reasons, missing = [], []
    if not has_verified_email(user):
        missing.append("email")
        reasons.append(_("Verify your email address first."))

    config = VotingSettings.for_site(site)
    name = MunicipalitySettings.for_site(site).display_name
    verification = verification_for(user, site)
    pending = None
    if verification is None:
        pending = VerificationRequest.objects.filter(
            user=user, site=site, status=VerificationRequest.Status.PENDING
        ).first()

    needs_residency = config.require_residency and rule.residents_only
    minimum_age = config.minimum_age if rule.minimum_age is None else rule.minimum_age
    if verification is None and (needs_residency or rule.district):
        if pending:
            missing.append("residency_pending")
            reasons.append(
                _("Your request to be recognised as a resident of %(name)s is waiting for review.")
                % {"name": name}
            )
        else:
            missing.append("residency")
            reasons.append(
                _("Confirm that you live in %(name)s: only its residents may vote here.")
                % {"name": name}
            )
    if verification is not None:
        today = today or timezone.localdate()
        if minimum_age and verification.age_on(today) < minimum_age:
            missing.append("age")
            reasons.append(
                _("You must be at least %(age)d years old to vote here.") % {"age": minimum_age}
            )
        if rule.district and verification.district != rule.district:
            missing.append("district")
            reasons.append(
                _("Only residents of %(district)s may vote here.") % {"district": rule.district}
            )
    return Decision(not missing, reasons, missing, verification, pending)
