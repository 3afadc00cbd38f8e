"""Staff views in the Wagtail admin: census import, residency requests, offline results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from voting import permissions, verification
from voting.forms import CensusUploadForm, OfflineResultsForm
from voting.models import (
    CensusEntry,
    OfflineResult,
    OfflineTurnout,
    PollPage,
    VerificationRequest,
    VotingSettings,
)


def _voter_sites(request):
    if not permissions.can_manage_voters(request.user):
        raise PermissionDenied
    return permissions.staff_sites(request.user)


def import_census(site, rows):
    """Replace a site's census with these rows."""
    with transaction.atomic():
        CensusEntry.objects.filter(site=site).delete()
        now = timezone.now()
        CensusEntry.objects.bulk_create(
            [
                CensusEntry(site=site, identity_hash=h, birth_date=b, district=d, imported_at=now)
                for h, b, d in rows
            ],
            batch_size=2000,
        )


def census(request):
    sites = _voter_sites(request)
    form = CensusUploadForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        site = form.cleaned_data["site"]
        rows = form.cleaned_data["file"]
        import_census(site, rows)
        messages.success(
            request,
            ngettext(
                "Imported %(count)d resident for %(site)s.",
                "Imported %(count)d residents for %(site)s.",
                len(rows),
            )
            % {"count": len(rows), "site": site.site_name},
        )
        return redirect("voting_admin:census")
    rows = [
        {
            "site": site,
            "salt": VotingSettings.for_site(site).census_salt,
            "count": CensusEntry.objects.filter(site=site).count(),
        }
        for site in sites
    ]
    return TemplateResponse(
        request,
        "voting/admin/census.html",
        {"form": form, "rows": rows},
        status=400 if form.is_bound and form.errors else 200,
    )


def requests_list(request):
    sites = _voter_sites(request)
    pending = (
        VerificationRequest.objects.filter(
            site__in=sites, status=VerificationRequest.Status.PENDING
        )
        .select_related("user", "site")
        .order_by("created_at")
    )
    page_obj = Paginator(pending, 25).get_page(request.GET.get("p"))
    return TemplateResponse(
        request, "voting/admin/requests.html", {"page_obj": page_obj, "requests": page_obj}
    )


def _pending(request, pk):
    return get_object_or_404(
        VerificationRequest.objects.select_related("user", "site"),
        pk=pk,
        site__in=_voter_sites(request),
        status=VerificationRequest.Status.PENDING,
    )


def request_document(request, pk):
    """The citizen's document, to staff of that municipality only, while the request waits."""
    row = _pending(request, pk)
    if not row.document:
        raise Http404
    response = FileResponse(row.document.open("rb"), as_attachment=False)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
def decide_request(request, pk):
    row = _pending(request, pk)
    decision = request.POST.get("decision")
    reason = request.POST.get("reason", "").strip()[:300]
    if decision == "approve":
        verification.decide(row, request.user, approve=True, reason=reason)
        messages.success(request, _("%(name)s is now a verified resident.") % {"name": row.user})
    elif decision == "reject":
        if not reason:
            messages.error(request, _("Give the citizen a reason for the rejection."))
            return redirect("voting_admin:requests")
        verification.decide(row, request.user, approve=False, reason=reason)
        messages.success(request, _("The request was rejected."))
    return redirect("voting_admin:requests")


def offline_results(request, poll_id):
    poll = get_object_or_404(PollPage, pk=poll_id)
    if not permissions.can_manage_poll(request.user, poll):
        raise PermissionDenied
    initial_results = {
        (r.option_id, r.channel): r.count for r in OfflineResult.objects.filter(poll=poll)
    }
    initial_turnout = {t.channel: t.ballots for t in OfflineTurnout.objects.filter(poll=poll)}
    form = OfflineResultsForm(
        poll,
        request.POST or None,
        initial_results=initial_results,
        initial_turnout=initial_turnout,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for option, channel, count in form.results():
                OfflineResult.objects.update_or_create(
                    poll=poll, option=option, channel=channel, defaults={"count": count}
                )
            for channel, ballots in form.turnout():
                OfflineTurnout.objects.update_or_create(
                    poll=poll, channel=channel, defaults={"ballots": ballots}
                )
        messages.success(request, _("Offline results saved."))
        return redirect(reverse("voting_admin:offline_results", args=[poll.pk]))
    return TemplateResponse(
        request,
        "voting/admin/offline_results.html",
        {"poll": poll, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
