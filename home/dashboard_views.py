"""The dashboard in the Wagtail admin and the public "how we are doing" page."""

import csv
import datetime

from django import forms
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Site

from cms import scope
from cms.models import MunicipalitySettings
from home.dashboard import (
    ANSWER_LABELS,
    DISCUSSION_LABELS,
    SATISFACTION_LABELS,
    Dashboard,
    Period,
    answer_times,
    proposals,
    satisfaction,
)
from participation.models import ParticipationSettings

LONGEST = datetime.timedelta(days=3 * 366)


class PeriodForm(forms.Form):
    site = forms.TypedChoiceField(label=gettext_lazy("Municipality"), coerce=int, required=False)
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date such as 2026-01-31.")},
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date such as 2026-01-31.")},
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(site.pk, site.site_name) for site in sites]

    def clean(self):
        data = super().clean()
        default = Period.default()
        start, end = data.get("start") or default.start, data.get("end") or default.end
        if start > end:
            raise forms.ValidationError(_("The start date must come before the end date."))
        if end - start > LONGEST:
            raise forms.ValidationError(_("Choose a period of three years at most."))
        data["period"] = Period(start, end)
        return data


def bars(rows):
    """Rows (label, value) with each bar's length in percent of the largest value."""
    values = [value or 0 for _label, value in rows]
    largest = max(values, default=0) or 1
    return [
        {"label": label, "value": value, "percent": round(100 * (value or 0) / largest, 1)}
        for label, value in rows
    ]


def _forbidden(request):
    """A plain 403 (Wagtail turns PermissionDenied into a redirect to the admin's home)."""
    return TemplateResponse(
        request,
        "home/admin/dashboard_forbidden.html",
        {"page_title": _("Municipality dashboard"), "header_icon": "list-ul"},
        status=403,
    )


def dashboard(request):
    sites = scope.staff_sites(request.user)
    if not sites:
        return _forbidden(request)
    default = Period.default()
    form = PeriodForm(
        request.GET or None,
        sites=sites,
        initial={"site": sites[0].pk, "start": default.start, "end": default.end},
    )
    period, site, status = default, sites[0], 200
    if request.GET:
        if form.is_valid():
            period = form.cleaned_data["period"]
            chosen = form.cleaned_data.get("site")
            if chosen:
                site = next((s for s in sites if s.pk == chosen), None)
        elif "site" in form.errors:
            return _forbidden(request)  # a municipality this person does not staff
        else:
            status = 400
    if site is None:
        return _forbidden(request)
    board = Dashboard.build(site, period)
    if request.GET.get("format") == "csv" and status == 200:
        return _csv(board)
    f = board.figures
    return TemplateResponse(
        request,
        "home/admin/dashboard.html",
        {
            "page_title": _("Municipality dashboard"),
            "header_icon": "list-ul",
            "form": form,
            "board": board,
            "municipality": MunicipalitySettings.for_site(site),
            "members": [s for s in board.sites if s != site],
            "active": bars([(m.isoformat(), n) for m, n in f["active"]]),
            "accounts": bars([(m.isoformat(), n) for m, n in f["accounts"]]),
            "stages": bars(f["proposals"]["by_stage"]),
            "funnel": bars(f["proposals"]["funnel"]),
            "answers": [(label, f["answers"][key]) for key, label in ANSWER_LABELS],
            "answer_bars": bars(
                [
                    (_("Median"), f["answers"]["median_days"]),
                    (_("90th percentile"), f["answers"]["p90_days"]),
                    (_("Promised"), f["answers"]["promised_days"]),
                ]
            ),
            "comments": bars([(m.isoformat(), n) for m, n in f["discussion"]["weekly"]]),
            "discussion": [(label, f["discussion"][key]) for key, label in DISCUSSION_LABELS],
            "turnout": f["turnout"],
            "turnout_bars": bars([(title, share) for _k, title, _v, _e, share in f["turnout"]]),
            "satisfaction": [(label, f["satisfaction"][key]) for key, label in SATISFACTION_LABELS],
            "spread": bars(f["satisfaction"]["spread"]),
            "csv_query": _csv_query(request),
        },
        status=status,
    )


def _csv_query(request):
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


def _csv(board):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"dashboard-{board.site.hostname}-{board.period.start}-{board.period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so spreadsheet programs read the Korean as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Section"), _("Item"), _("Value")])
    for section, item, value in board.csv_rows():
        writer.writerow([str(section), str(item), value])
    return response


# The public page --------------------------------------------------------------------------


def how_we_are_doing(request):
    """The municipality's promises beside its measured figures, over the last twelve months."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=364), today)
    municipality = MunicipalitySettings.for_site(site)
    rules = ParticipationSettings.for_site(site)
    answers = answer_times([site], period)
    return TemplateResponse(
        request,
        "home/how_we_are_doing.html",
        {
            "municipality": municipality,
            "period": period,
            "committee_days": rules.committee_days,
            "threshold": municipality.support_threshold,
            "window_days": municipality.support_window_days,
            "answers": answers,
            "funnel": dict(
                zip(
                    ["submitted", "published", "threshold", "answered", "adopted", "implemented"],
                    [n for _label, n in proposals([site], period)["funnel"]],
                    strict=True,
                )
            ),
            "satisfaction": satisfaction([site], period),
        },
    )
