"""The open data page of a municipality and its downloads."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from wagtail.models import Site

from budgeting.exchange import export_text
from cms.models import MunicipalitySettings
from cms.scope import sites_in_view
from opendata import public
from opendata.models import OpenDataBundle


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def open_data(request):
    """The bundle, its date and licence, the API's documentation and the budgets' files."""
    site = _site(request)
    config = MunicipalitySettings.for_site(site)
    bundle = OpenDataBundle.objects.filter(site=site).first()
    budgets = list(public.budgets(sites_in_view(site)).order_by("-first_published_at", "-pk"))
    files = [
        (budget, heading, heading.published_results[0])
        for budget in budgets
        for heading in budget.public_headings
        if heading.published_results
    ]
    return render(
        request,
        "opendata/open_data.html",
        {"bundle": bundle, "config": config, "pabulib_files": files},
    )


def bundle_download(request):
    bundle = OpenDataBundle.objects.filter(site=_site(request)).first()
    if bundle is None or not bundle.file:
        raise Http404
    response = FileResponse(
        bundle.file.open("rb"),
        as_attachment=True,
        filename=f"open-data-{bundle.site.hostname}-{bundle.built_at:%Y%m%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


def pabulib_download(request, heading_id):
    """A heading's pabulib file, once its result is published (the public gate for results)."""
    results = public.published_results(sites_in_view(_site(request)))
    result = results.get(heading_id)
    if result is None:
        raise Http404
    response = HttpResponse(
        export_text(result.heading, result.selected), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="budget-{heading_id}.pb"'
    response["Cache-Control"] = "public, max-age=300"
    return response
