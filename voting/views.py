"""Public views of polls (routed from the page models) and of voter eligibility."""

import csv
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from voting import ballots, eligibility, permissions, results, secrecy
from voting.forms import BallotForm, ReceiptForm
from voting.models import Answer, Participation, PollIndexPage, PollPage

PER_PAGE = 10
RECEIPT_COOKIE_SALT = "voting.receipt"


def receipt_cookie_name(poll):
    return f"poll{poll.pk}_receipt"


def site_of(request, page):
    return Site.find_for_request(request) or page.get_site()


def eligibility_url(poll, request=None):
    index = PollIndexPage.objects.parent_of(poll).first()
    if index is None:
        return None
    return index.get_url(request=request) + index.reverse_subpage("eligibility")


# The list of polls


def with_participant_counts(queryset):
    counts = (
        Participation.objects.filter(contest=OuterRef("pk"), scope="")
        .order_by()
        .values("contest")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.annotate(
        participant_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))
    )


def polls_for_listing(parent, now):
    """Open polls (closing soonest first), then upcoming, then closed (latest first)."""
    return (
        with_participant_counts(PollPage.objects.visible().child_of(parent))
        .annotate(
            state_order=Case(
                When(opens_at__gt=now, then=Value(1)),
                When(closes_at__lte=now, then=Value(2)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("state_order", "closes_at")
    )


def poll_list_context(index, request):
    now = timezone.now()
    status = request.GET.get("status", "")
    queryset = polls_for_listing(index, now)
    if status == "open":
        queryset = queryset.open_at(now)
    elif status == "upcoming":
        queryset = queryset.upcoming_at(now)
    elif status == "closed":
        queryset = queryset.closed_at(now).order_by("-closes_at")
    else:
        status = ""
    paginator = Paginator(queryset, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return {
        "polls": page_obj.object_list,
        "page_obj": page_obj,
        "status_filter": status,
        "status_choices": [
            ("", _("All")),
            ("open", _("Open")),
            ("upcoming", _("Upcoming")),
            ("closed", _("Closed")),
        ],
        "eligibility_url": index.get_url(request) + index.reverse_subpage("eligibility"),
    }


# One poll


def poll_context(request, poll, **extra):
    site = site_of(request, poll)
    user = request.user
    decision = eligibility.check(user, site, action="vote", rule=poll.rule)
    participated = (
        user.is_authenticated
        and Participation.objects.filter(contest=poll, scope="", user=user).exists()
    )
    show_results = permissions.can_see_results(user, poll)
    context = {
        "page": poll,
        "self": poll,
        "decision": decision,
        "participated": participated,
        "show_results": show_results,
        "results": results.compute(poll, site) if show_results else None,
        "eligibility_url": eligibility_url(poll, request),
        "receipt_url": poll.get_url(request) + poll.reverse_subpage("receipt"),
        "csv_url": poll.get_url(request) + poll.reverse_subpage("results_csv"),
        "is_open": poll.is_open(),
        "not_opened": poll.has_not_opened(),
    }
    if context["is_open"] and decision.allowed:
        saved = request.get_signed_cookie(
            receipt_cookie_name(poll), default="", salt=RECEIPT_COOKIE_SALT
        )
        context.setdefault("form", BallotForm(poll))
        context.setdefault("receipt_form", ReceiptForm(initial={"receipt": saved}))
    context.update(extra)
    return context


def render_poll(request, poll, status=200, **extra):
    return TemplateResponse(
        request, poll.template, poll_context(request, poll, **extra), status=status
    )


def chosen_summary(form):
    """What the voter picked, question by question, for the confirmation step."""
    picked = {}
    for question_id, option_id, rank in form.choices():
        picked.setdefault(question_id, []).append((rank or 0, option_id))
    summary = []
    for group in form.groups:
        by_id = {o.pk: o for o in group["options"]}
        chosen = [by_id[pk] for _rank, pk in sorted(picked.get(group["question"].pk, []))]
        summary.append({"question": group["question"], "options": chosen})
    return summary


def poll_view(request, poll):
    if request.method != "POST":
        return render_poll(request, poll)
    if not request.user.is_authenticated:
        return redirect_to_login(poll.get_url(request))
    action = request.POST.get("action")
    if action not in {"vote", "change"}:
        return render_poll(request, poll, status=400)
    site = site_of(request, poll)
    try:
        ballots.ensure_may_vote(poll, request.user, site)
    except ballots.VoteRefused as refused:
        return render_poll(request, poll, status=403, refused=refused.reasons)

    form = BallotForm(poll, request.POST)
    receipt_form = ReceiptForm(request.POST) if action == "change" else ReceiptForm()
    if not (form.is_valid() and (action == "vote" or receipt_form.is_valid())):
        return render_poll(
            request, poll, status=400, form=form, receipt_form=receipt_form, action=action
        )

    if request.POST.get("confirm") != "yes":
        hidden = [
            (name, value)
            for name in request.POST
            if name not in {"csrfmiddlewaretoken", "confirm"}
            for value in request.POST.getlist(name)
        ]
        return TemplateResponse(
            request,
            "voting/poll_confirm.html",
            {
                "page": poll,
                "self": poll,
                "summary": chosen_summary(form),
                "hidden": hidden,
                "action": action,
            },
        )

    try:
        if action == "vote":
            receipt = ballots.cast(poll, request.user, site, form.choices())
        else:
            receipt = ballots.change(
                poll, request.user, site, receipt_form.cleaned_data["receipt"], form.choices()
            )
    except ballots.VoteRefused as refused:
        return render_poll(request, poll, status=409, refused=refused.reasons)
    response = TemplateResponse(
        request,
        "voting/poll_voted.html",
        {
            "page": poll,
            "self": poll,
            "receipt": receipt,
            "changed": action == "change",
            "summary": chosen_summary(form),
            "receipt_url": poll.get_url(request) + poll.reverse_subpage("receipt"),
        },
    )
    response.set_signed_cookie(
        receipt_cookie_name(poll),
        receipt,
        salt=RECEIPT_COOKIE_SALT,
        max_age=max(int((poll.closes_at - timezone.now()).total_seconds()), 0) + 86400,
        path=urlsplit(poll.get_url(request)).path,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def receipt_check_view(request, poll):
    """Anyone holding a receipt can see that its vote is stored and, after the close, counted.

    While the poll is open the holder also sees the answers sealed under it (to review them
    before changing); after the close it proves inclusion only, never the choices.
    """
    form = ReceiptForm(request.POST or None)
    check = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            check = ballots.check_receipt(poll, form.cleaned_data["receipt"])
            if check is None:
                form.add_error("receipt", _("No ballot in this poll matches that receipt code."))
                status = 404
        else:
            status = 400
    answers = []
    if check is not None and check.payload is not None and poll.is_open():
        answers = answers_for_review(poll, check.payload)
    return TemplateResponse(
        request,
        "voting/poll_receipt.html",
        {
            "page": poll,
            "self": poll,
            "form": form,
            "check": check,
            "answers": answers,
            "is_open": poll.is_open(),
        },
        status=status,
    )


def answers_for_review(poll, payload):
    """(question, option, rank) rows of a sealed payload, in the poll's order."""
    options = {o.pk: (q, o) for q in poll.question_list for o in q.options.all()}
    rows = [
        (*options[option_id], rank)
        for _question_id, option_id, rank in payload.get("answers", [])
        if option_id in options
    ]
    return sorted(rows, key=lambda r: (r[0].sort_order or 0, r[2] or 0, r[1].sort_order or 0))


def results_csv_view(request, poll):
    """The anonymous answers, one line per chosen option, ordered by the random ballot id.

    Only after the close (the ballots exist only once the box is opened)."""
    if not poll.has_closed():
        raise Http404
    secrecy.opened_box(poll)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-answers.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["ballot", "channel", "question_id", "question", "option_id", "option", "rank"])
    rows = (
        Answer.objects.filter(ballot__poll=poll)
        .select_related("ballot", "question", "option")
        .order_by("ballot_id", "question__sort_order", "rank", "option__sort_order")
    )
    for answer in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                answer.ballot.public_id,
                answer.ballot.channel,
                answer.question_id,
                answer.question.text,
                answer.option_id,
                answer.option.text,
                answer.rank or "",
            ]
        )
    return response
