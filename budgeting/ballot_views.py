"""Public views of a budget (routed from BudgetPage): the ballot, the receipt check, results.

Every view that shows anything about votes asks budgeting.gate first.
"""

import csv
from decimal import Decimal
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from budgeting import ballots, gate
from budgeting.exchange import export_text
from budgeting.models import BallotKind, BudgetBallot, BudgetProjectPage
from voting import eligibility
from voting.forms import ReceiptForm

RECEIPT_COOKIE_SALT = "budgeting.receipt"


def receipt_cookie_name(budget, heading):
    return f"budget{budget.pk}_{heading.pk}_receipt"


def site_of(request, page):
    return Site.find_for_request(request) or page.get_site()


def _heading(budget, heading_id):
    heading = budget.headings.filter(pk=heading_id).first()
    if heading is None:
        raise Http404
    return heading


def route(budget, request, name, *args):
    return budget.get_url(request) + budget.reverse_subpage(name, args=args)


# The ballot


def summary(budget, heading, projects, data):
    """What is spent, chosen or given so far and what is left, from an unchecked form; and
    the reasons it could not be cast as it stands (shown as the citizen goes)."""
    by_id = {str(p.pk): p for p in projects}
    picked = ballots.read_form(budget, heading, data)
    chosen = [by_id[i] for i, _v in picked if i in by_id]
    spent = sum((p.cost for p in chosen), Decimal(0))
    limit = ballots.spending_limit(budget, heading)
    points = 0
    for _i, value in picked:
        number = ballots._integer(str(value)) if value is not None else None
        points += number if number and number > 0 else 0
    problems = []
    if picked:
        try:
            ballots.validate(budget, heading, picked, projects)
        except ballots.BallotInvalid as invalid:
            problems = invalid.reasons
    return {
        "count": len(chosen),
        "spent": spent,
        "limit": limit,
        "left": limit - spent,
        "over": spent > limit,
        "points": points,
        "points_left": (budget.max_sum_points - points) if budget.max_sum_points else None,
        "problems": problems,
        "chosen": {p.pk for p in chosen},
        "values": {i: v for i, v in picked},
    }


def ballot_context(request, budget, heading, data=None, **extra):
    site = site_of(request, budget)
    user = request.user
    projects = ballots.ballot_projects(heading)
    decision = eligibility.check(user, site, action="vote", rule=ballots.rule_for(budget, heading))
    voted = ballots.has_voted(budget, heading, user)
    saved = ""
    if voted:
        saved = request.get_signed_cookie(
            receipt_cookie_name(budget, heading), default="", salt=RECEIPT_COOKIE_SALT
        )
    context = {
        "page": budget,
        "self": budget,
        "heading": heading,
        "projects": projects,
        "kind": budget.ballot_kind,
        "kinds": BallotKind,
        "is_balloting": budget.is_balloting(),
        "decision": decision,
        "voted": voted,
        "receipt_form": None,
        "summary": summary(budget, heading, projects, data if data is not None else _Empty()),
        "ballot_url": route(budget, request, "ballot", heading.pk),
        "receipt_url": route(budget, request, "receipt"),
    }
    if voted:
        typed = data is not None and "receipt" in data
        context["receipt_form"] = (
            ReceiptForm(data) if typed else ReceiptForm(initial={"receipt": saved})
        )
    context.update(extra)
    return context


class _Empty(dict):
    def getlist(self, name):
        return []


def ballot_view(request, budget, heading_id):
    heading = _heading(budget, heading_id)
    if request.method != "POST":
        context = ballot_context(request, budget, heading, _Empty())
        return TemplateResponse(request, "budgeting/ballot.html", context)
    action = request.POST.get("action")
    if action == "preview":
        context = ballot_context(request, budget, heading, request.POST)
        template = (
            "budgeting/includes/ballot_summary.html"
            if request.headers.get("HX-Request")
            else "budgeting/ballot.html"
        )
        return TemplateResponse(request, template, context)
    if not request.user.is_authenticated:
        return redirect_to_login(route(budget, request, "ballot", heading.pk))
    if action not in {"vote", "change"}:
        return TemplateResponse(
            request,
            "budgeting/ballot.html",
            ballot_context(request, budget, heading, request.POST),
            status=400,
        )

    def refuse(reasons, status):
        context = ballot_context(request, budget, heading, request.POST, refused=reasons)
        return TemplateResponse(request, "budgeting/ballot.html", context, status=status)

    site = site_of(request, budget)
    try:
        ballots.ensure_may_vote(budget, heading, request.user, site)
        ballot = ballots.validate(budget, heading, ballots.read_form(budget, heading, request.POST))
        if action == "vote":
            receipt = ballots.cast(ballot, request.user, site)
        else:
            form = ReceiptForm(request.POST)
            if not form.is_valid():
                return refuse([_("Type the receipt code you were given.")], 400)
            receipt = ballots.change(ballot, request.user, site, form.cleaned_data["receipt"])
    except ballots.BallotInvalid as invalid:
        return refuse(invalid.reasons, 400)
    except ballots.VoteRefused as refused:
        return refuse(refused.reasons, 403)
    response = TemplateResponse(
        request,
        "budgeting/ballot_cast.html",
        {
            "page": budget,
            "self": budget,
            "heading": heading,
            "ballot": ballot,
            "receipt": receipt,
            "changed": action == "change",
            "receipt_url": route(budget, request, "receipt"),
            "ballot_url": route(budget, request, "ballot", heading.pk),
        },
    )
    end = budget.balloting_ends_at() or timezone.now()
    response.set_signed_cookie(
        receipt_cookie_name(budget, heading),
        receipt,
        salt=RECEIPT_COOKIE_SALT,
        max_age=max(int((end - timezone.now()).total_seconds()), 0) + 86400,
        path=urlsplit(budget.get_url(request)).path,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def receipt_view(request, budget):
    """Anyone holding a receipt sees that its ballot is stored (and, while balloting goes
    on, what it says) and, once the box is opened, that it was counted."""
    form = ReceiptForm(request.POST or None)
    check, status, chosen, heading = None, 200, [], None
    if request.method == "POST":
        if form.is_valid():
            check = ballots.check_receipt(budget, form.cleaned_data["receipt"])
            if check is None:
                form.add_error("receipt", _("No ballot of this budget matches that receipt code."))
                status = 404
        else:
            status = 400
    if check is not None:
        heading = budget.headings.filter(pk=int(check.scope or 0)).first()
        if check.payload is not None:
            pages = BudgetProjectPage.objects.in_bulk(
                [pk for pk, _points in check.payload.get("projects", [])]
            )
            chosen = [
                (pages[pk], points) for pk, points in check.payload["projects"] if pk in pages
            ]
    return TemplateResponse(
        request,
        "budgeting/receipt.html",
        {
            "page": budget,
            "self": budget,
            "form": form,
            "check": check,
            "heading": heading,
            "chosen": chosen,
        },
        status=status,
    )


# Results, through the gate


def turnout(budget, headings, results, site):
    """Per published heading: ballots by channel and the eligible population (one query)."""
    published = [h for h in headings if h.pk in results]
    counts = {}
    rows = (
        BudgetBallot.objects.filter(heading__in=published)
        .values("heading_id", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["heading_id"], {})[row["channel"]] = row["n"]
    eligible = budget.eligible_voters
    if eligible is None and published:
        from voting.models import VoterVerification

        eligible = (
            VoterVerification.objects.current()
            .filter(site_id__in=eligibility.residency_sites(site))
            .values("user")
            .distinct()
            .count()
        )
    labels = dict(BudgetBallot._meta.get_field("channel").choices)
    table = {}
    for heading in published:
        by_channel = counts.get(heading.pk, {})
        total = sum(by_channel.values())
        table[heading.pk] = {
            "channels": [(labels.get(c, c), n) for c, n in sorted(by_channel.items())],
            "total": total,
            "eligible": eligible,
            # Paper ballots come from people without accounts: counted against verified
            # accounts alone they could pass 100 %, which is no turnout; staff then set the
            # eligible population on the budget.
            "percent": _percent(total, eligible),
        }
    return table


def _percent(part, whole):
    if not whole or part > whole:
        return None
    share = 100 * part / whole
    return round(share, 1 if share >= 1 else 3)


def rule_in_words(rule):
    texts = {
        "greedy": _(
            "Projects are taken from the highest score down. Each is funded if the money left "
            "covers its cost; if not, it is skipped and the next one is tried."
        ),
        "greedy-no-skip": _(
            "Projects are taken from the highest score down and funded one after another; "
            "the count stops at the first project the money left cannot cover."
        ),
        "greedy-threshold": _(
            "Only projects that reach the minimum score take part. They are taken from the "
            "highest score down, each funded if the money left covers its cost."
        ),
        "equal-shares": _(
            "Every voter gets an equal share of the budget. A project is funded when its "
            "supporters can pay for it together from their shares, cheapest per supporter "
            "first, so that every group of voters gets projects in proportion to its size."
        ),
        "equal-shares-comparison": _(
            "The Method of Equal Shares (each voter has an equal share to spend on the "
            "projects they chose), then compared with the highest-score-first outcome: that "
            "one replaces it only if more voters prefer it."
        ),
    }
    return texts.get(rule, "")


def results_context(request, budget):
    headings = list(budget.headings.order_by("sort_order", "pk"))
    results = gate.published_results(headings)
    site = site_of(request, budget)
    numbers = turnout(budget, headings, results, site)
    pages = {
        p.pk: p
        for p in BudgetProjectPage.objects.live()
        .child_of(budget)
        .only("pk", "title", "pabulib_id", "url_path", "path", "depth", "slug")
    }
    by_label = {p.label: p for p in pages.values()}
    sections = []
    for heading in headings:
        result = results.get(heading.pk)
        if result is None:
            sections.append({"heading": heading, "result": None})
            continue
        entries = list(result.explanation.get("projects", []))
        scored = []
        for entry in entries:
            page = by_label.get(str(entry.get("project")))
            score = entry.get("score")
            if score is None and page is not None:
                score = result.scores.get(str(page.pk), 0)
            scored.append((entry, page, float(score or 0)))
        top = max((score for _e, _p, score in scored), default=0) or 1
        rows = [
            {"entry": entry, "page": page, "score": score, "bar": round(100 * score / top, 1)}
            for entry, page, score in scored
        ]
        sections.append(
            {
                "heading": heading,
                "result": result,
                "rule_text": rule_in_words(result.rule),
                "rows": rows,
                "turnout": numbers.get(heading.pk),
                "weights": result.explanation.get("weights"),
                "csv_url": route(budget, request, "results_csv", heading.pk),
                "pabulib_url": route(budget, request, "results_pabulib", heading.pk),
            }
        )
    return {"page": budget, "self": budget, "sections": sections}


def results_view(request, budget):
    return TemplateResponse(request, "budgeting/results.html", results_context(request, budget))


def results_csv_view(request, budget, heading_id):
    heading = _heading(budget, heading_id)
    result = gate.published_result(heading)
    if result is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="budget-{budget.pk}-heading-{heading.pk}-results.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            "rank",
            "project",
            "title",
            "cost",
            "score",
            "online",
            "offline",
            "committee",
            "funded",
            "reason",
        ]
    )
    for entry in result.explanation.get("projects", []):
        writer.writerow(
            [
                entry.get("rank", ""),
                entry.get("project"),
                entry.get("title"),
                entry.get("cost"),
                entry.get("score", ""),
                entry.get("online", ""),
                entry.get("offline", ""),
                entry.get("committee", ""),
                "1" if entry.get("funded") else "0",
                entry.get("reason", ""),
            ]
        )
    return response


def results_pabulib_view(request, budget, heading_id):
    heading = _heading(budget, heading_id)
    result = gate.published_result(heading)
    if result is None:
        raise Http404
    response = HttpResponse(
        export_text(heading, result.selected), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="budget-{budget.pk}-heading-{heading.pk}.pb"'
    )
    return response
