"""Becoming a verified resident, by any of the municipality's methods, and forgetting it again.

Three ways, each a function the views call and tests drive:

* ``verify_by_census``: name, date of birth and address (or household code) hashed with
  the installation's key (voting.hashing) and looked up in the municipality's census;
* ``request_review`` / ``decide``: a document that staff approve or reject, deleted as
  soon as they decide;
* ``verify_by_provider``: a certified identity provider's CI and date of birth (voting.identity),
  with the person's declaration that they live here.

A mismatch and an identity already linked to another account answer alike, so the form
tells no one whether someone else has verified with these details; attempts are counted
atomically (``attempt_allowed``).
"""

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from voting import hashing
from voting.models import CensusEntry, VerificationRequest, VoterVerification, VotingSettings

ATTEMPT_WINDOW = 60 * 60
ATTEMPTS_PER_PERSON = 5


def _count(key, window):
    """Add one to a counter and return it, atomically (Redis INCR, or the cache's lock)."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def attempt_allowed(user, now=None):
    """Count one census check for this person; False once they are over the hour's limit.

    Per account, not per address: behind a proxy every request shares one address, and
    accounts cost a confirmed email each (allauth limits sign-ups)."""
    slot = int((now or timezone.now()).timestamp() // ATTEMPT_WINDOW)
    count = _count(f"voting:census-attempts:user:{user.pk}:{slot}", ATTEMPT_WINDOW * 2)
    return count <= ATTEMPTS_PER_PERSON


def _record(user, site, config, **fields):
    now = timezone.now()
    try:
        with transaction.atomic():
            verification, _created = VoterVerification.objects.update_or_create(
                user=user,
                site=site,
                defaults={**fields, "verified_at": now, "expires_at": config.expiry_from(now)},
            )
    except IntegrityError:  # the identity already verified another account
        return None
    return verification


def verify_by_census(user, site, name, birth_date, code, district=""):
    """The new verification, or None when the census has no such resident (or they are taken)."""
    config = VotingSettings.for_site(site)
    digest = hashing.census_hash(name, birth_date, code, config.census_salt)
    entry = CensusEntry.objects.filter(site=site, identity_hash=digest).first()
    if entry is None or entry.birth_date != birth_date:
        return None
    if district and entry.district and district != entry.district:
        return None
    return _record(
        user,
        site,
        config,
        identity_hash=digest,
        birth_date=entry.birth_date,
        district=entry.district or district,
        method=VoterVerification.Method.CENSUS,
        verified_by=None,
    )


def verify_by_provider(user, site, result, district=""):
    config = VotingSettings.for_site(site)
    return _record(
        user,
        site,
        config,
        identity_hash=hashing.ci_hash(result.ci),
        birth_date=result.birth_date,
        district=district,
        method=VoterVerification.Method.PROVIDER,
        verified_by=None,
    )


def request_review(user, site, birth_date, document, district=""):
    """A pending request with its document, or None if one is already waiting."""
    try:
        with transaction.atomic():
            return VerificationRequest.objects.create(
                user=user, site=site, birth_date=birth_date, district=district, document=document
            )
    except IntegrityError:
        return None


def decide(request_row, staff, approve, reason=""):
    """Approve (the person becomes a resident) or reject with a reason; the document goes."""
    config = VotingSettings.for_site(request_row.site)
    with transaction.atomic():
        row = VerificationRequest.objects.select_for_update().get(pk=request_row.pk)
        if row.status != VerificationRequest.Status.PENDING:
            return row
        if approve:
            _record(
                row.user,
                row.site,
                config,
                identity_hash="",
                birth_date=row.birth_date,
                district=row.district,
                method=VoterVerification.Method.MANUAL,
                verified_by=staff,
            )
        row.status = (
            VerificationRequest.Status.APPROVED if approve else VerificationRequest.Status.REJECTED
        )
        row.reason = reason[:300]
        row.decided_by = staff
        row.decided_at = timezone.now()
        document = row.document
        row.document = ""
        row.save()
    if document:
        document.delete(save=False)
    return row


def forget(user):
    """Everything verification knows about a person (their account is being deleted)."""
    for row in VerificationRequest.objects.filter(user=user).exclude(document=""):
        row.document.delete(save=False)
    VerificationRequest.objects.filter(user=user).delete()
    VoterVerification.objects.filter(user=user).delete()


def purge(now=None):
    """Delete what has outlived its retention: expired verifications, and decided requests
    (and any document) older than the municipality's retention period. Returns the counts."""
    now = now or timezone.now()
    expired, _ = VoterVerification.objects.expired(now).delete()
    old_requests = 0
    for config in VotingSettings.objects.all():
        cutoff = now - (config.expiry_from(now) - now)
        rows = VerificationRequest.objects.filter(site_id=config.site_id, created_at__lt=cutoff)
        for row in rows.exclude(document=""):
            row.document.delete(save=False)
        old_requests += rows.delete()[0]
    return expired, old_requests
