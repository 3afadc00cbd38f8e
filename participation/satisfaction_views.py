"""The rating form people are invited to, and "was this helpful?" on information pages."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.models import Page, Site

from cms.csrf import csrf_when_signed_in
from cms.scope import belongs_to
from participation import satisfaction
from participation.models import PageFeedback, SatisfactionRating

SCORE_CHOICES = [(score, str(score)) for score in range(1, 6)]
SCORE_ERRORS = {
    "required": gettext_lazy("Choose a score from 1 to 5."),
    "invalid_choice": gettext_lazy("Choose a score from 1 to 5."),
}


class RatingForm(forms.Form):
    answer_score = forms.TypedChoiceField(
        label=gettext_lazy(
            "How satisfied are you with the answer or result? (1 = not at all, 5 = very)"
        ),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=SCORE_ERRORS,
    )
    process_score = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you with the process? (1 = not at all, 5 = very)"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=SCORE_ERRORS,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything else? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": gettext_lazy("Keep your comment to %(limit_value)d characters.")
        },
    )


def _subject(request, page_id):
    page = Page.objects.filter(pk=page_id).first()
    site = Site.find_for_request(request)
    if page is None or not belongs_to(page, site):
        raise Http404
    return page.specific


def rate(request, page_id):
    subject = _subject(request, page_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    existing = SatisfactionRating.objects.filter(subject_id=subject.pk, user=request.user).first()
    invited = satisfaction.is_invited(request.user, subject)
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not invited:
            form.add_error(None, _("Only people invited to rate this can rate it."))
            status = 403
        elif form.is_valid():
            try:
                satisfaction.rate(request.user, subject, **form.cleaned_data)
            except satisfaction.RatingRefused as refusal:
                form.add_error(None, refusal.reason)
                status = 409
            else:
                messages.success(request, _("Thank you. Your rating is recorded."))
                return redirect(request.path)
        else:
            status = 400
    return TemplateResponse(
        request,
        "participation/satisfaction_rate.html",
        {
            "subject": subject,
            "subject_url": subject.get_url(request) if subject.live else "",
            "form": form,
            "invited": invited,
            "existing": existing,
        },
        status=status,
    )


HELPFUL_LIMIT = (30, 600)  # answers per client and window (seconds)


def _too_many(request):
    client = request.user.pk if request.user.is_authenticated else request.META.get("REMOTE_ADDR")
    key = f"participation:rate:helpful:{client}"
    cache.add(key, 0, timeout=HELPFUL_LIMIT[1])
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=HELPFUL_LIMIT[1])
        count = 1
    return count > HELPFUL_LIMIT[0]


@csrf_when_signed_in  # asked on cacheable anonymous pages, which carry no CSRF token
@require_POST
def helpful(request, page_id):
    page = _subject(request, page_id)
    answer = request.POST.get("helpful")
    back = page.get_url(request) if page.live else "/"
    if answer not in {"yes", "no"}:
        messages.error(request, _("Choose yes or no."))
        return redirect(back + "#helpful")
    if _too_many(request):
        messages.error(request, _("Too many answers from here. Please try again later."))
        return redirect(back + "#helpful")
    if request.user.is_authenticated:
        who = {"user": request.user}
    else:
        if not request.session.session_key:
            request.session.save()
        who = {"user": None, "session_key": request.session.session_key}
    try:
        with transaction.atomic():
            PageFeedback.objects.create(page=page, helpful=answer == "yes", **who)
    except IntegrityError:
        messages.info(request, _("You have already answered. Thank you."))
    else:
        messages.success(request, _("Thank you for your answer."))
    return redirect(back + "#helpful")
