"""The "Can I vote?" page and the ways to become a verified resident (see voting.verification)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Site

from cms.models import MunicipalitySettings
from voting import eligibility, identity, verification
from voting.forms import CensusCheckForm, DocumentRequestForm, ProviderStartForm
from voting.models import VerificationRequest, VotingSettings

PROVIDER_SESSION_KEY = "voting.identity.declaration"


def _site(request, index):
    return Site.find_for_request(request) or index.get_site()


def _urls(index, request):
    base = index.get_url(request)
    return {
        "page": base + index.reverse_subpage("eligibility"),
        "document": base + index.reverse_subpage("eligibility_document"),
        "provider": base + index.reverse_subpage("eligibility_provider", args=["start"]),
    }


def _provider_urls(index, request):
    base = index.get_url(request)
    return identity.ProviderUrls(
        callback=request.build_absolute_uri(
            base + index.reverse_subpage("eligibility_provider", args=["return"])
        ),
        window=base + index.reverse_subpage("eligibility_provider", args=["window"]),
    )


def _provider(config):
    if not config.use_identity_provider:
        return None
    return identity.get_provider(config.identity_provider)


def render_page(request, index, status=200, **forms):
    site = _site(request, index)
    config = VotingSettings.for_site(site)
    municipality = MunicipalitySettings.for_site(site)
    decision = eligibility.check(request.user, site)
    verified = decision.verification is not None
    waiting = decision.pending_request is not None
    districts = config.district_list
    provider = _provider(config)
    context = {
        "page": index,
        "self": index,
        "decision": decision,
        "config": config,
        "municipality": municipality,
        "minimum_age": config.minimum_age,
        "urls": _urls(index, request),
        "provider": provider,
        "retention_days": config.verification_valid_days,
        "last_rejected": None,
    }
    if not verified:
        if config.use_census:
            context["census_form"] = forms.get("census_form") or CensusCheckForm(
                code_kind=config.census_code_kind, districts=districts
            )
        if config.use_documents and not waiting:
            context["document_form"] = forms.get("document_form") or DocumentRequestForm(
                districts=districts
            )
            context["last_rejected"] = (
                VerificationRequest.objects.filter(
                    user=request.user, site=site, status=VerificationRequest.Status.REJECTED
                )
                .order_by("-decided_at")
                .first()
            )
        if provider is not None:
            context["provider_form"] = forms.get("provider_form") or ProviderStartForm(
                name=municipality.display_name, districts=districts
            )
    return TemplateResponse(request, "voting/eligibility.html", context, status=status)


def eligibility_view(request, index):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return render_page(request, index)
    site = _site(request, index)
    config = VotingSettings.for_site(site)
    if not config.use_census:
        return render_page(request, index, status=400)
    form = CensusCheckForm(
        request.POST, code_kind=config.census_code_kind, districts=config.district_list
    )
    if not form.is_valid():
        return render_page(request, index, status=400, census_form=form)
    if not verification.attempt_allowed(request.user):
        form.add_error(
            None,
            _("Too many attempts. Wait an hour and try again, or send a document to staff."),
        )
        return render_page(request, index, status=429, census_form=form)
    data = form.cleaned_data
    verified = verification.verify_by_census(
        request.user,
        site,
        data["name"],
        data["birth_date"],
        data["code"],
        data.get("district", ""),
    )
    if verified is None:
        # The same answer whether nobody matches or the match verified another account.
        form.add_error(
            None,
            _(
                "We could not confirm these details with the census. Check them as they "
                "appear on your resident registration, or send a document for staff to review."
            ),
        )
        return render_page(request, index, status=400, census_form=form)
    messages.success(request, _("You are now recognised as a resident."))
    return redirect(_urls(index, request)["page"])


def document_view(request, index):
    if not request.user.is_authenticated:
        return redirect_to_login(_urls(index, request)["page"])
    if request.method != "POST":
        return redirect(_urls(index, request)["page"])
    site = _site(request, index)
    config = VotingSettings.for_site(site)
    if not config.use_documents or eligibility.verification_for(request.user, site):
        return render_page(request, index, status=400)
    form = DocumentRequestForm(request.POST, request.FILES, districts=config.district_list)
    if not form.is_valid():
        return render_page(request, index, status=400, document_form=form)
    data = form.cleaned_data
    row = verification.request_review(
        request.user, site, data["birth_date"], data["document"], data.get("district", "")
    )
    if row is None:
        messages.info(request, _("Your request is already waiting for review."))
    else:
        messages.success(
            request,
            _("Thank you. Staff will check your document; you will see the result here."),
        )
    return redirect(_urls(index, request)["page"])


def provider_view(request, index, step):
    page_url = _urls(index, request)["page"]
    if not request.user.is_authenticated:
        return redirect_to_login(page_url)
    site = _site(request, index)
    config = VotingSettings.for_site(site)
    provider = _provider(config)
    if provider is None or eligibility.verification_for(request.user, site):
        return redirect(page_url)
    urls = _provider_urls(index, request)
    if step == "start":
        if request.method != "POST":
            return redirect(page_url)
        municipality = MunicipalitySettings.for_site(site)
        form = ProviderStartForm(
            request.POST, name=municipality.display_name, districts=config.district_list
        )
        if not form.is_valid():
            return render_page(request, index, status=400, provider_form=form)
        request.session[PROVIDER_SESSION_KEY] = {
            "site": site.pk,
            "district": form.cleaned_data.get("district", ""),
        }
        return provider.start(request, urls)
    if step == "window":
        return provider.window(request, urls)
    if step != "return":
        return redirect(page_url)
    declaration = request.session.get(PROVIDER_SESSION_KEY) or {}
    if declaration.get("site") != site.pk:
        messages.error(request, _("Start the identity check from this page."))
        return redirect(page_url)
    try:
        result = provider.complete(request)
    except identity.IdentityError as error:
        messages.error(request, str(error))
        return redirect(page_url)
    verified = verification.verify_by_provider(
        request.user, site, result, declaration.get("district", "")
    )
    del request.session[PROVIDER_SESSION_KEY]
    if verified is None:
        messages.error(
            request,
            _(
                "We could not complete the verification. If you think this is a mistake, "
                "contact the municipality."
            ),
        )
    else:
        messages.success(request, _("You are now recognised as a resident."))
    return redirect(page_url)
