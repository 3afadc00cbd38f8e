"""Citizens' views of a budget: submit and edit projects, support them in the selecting phase.

Thin: what is allowed is decided in budgeting.permissions, what happens in the models.
A refused action answers 403 with the reason and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Site

from budgeting import permissions
from budgeting.forms import ProjectForm
from budgeting.models import (
    BudgetPage,
    BudgetProjectImage,
    BudgetProjectPage,
    BudgetSupport,
    SupportLimitReached,
)


def _refused(request, budget, reason, title):
    return TemplateResponse(
        request,
        "budgeting/refused.html",
        {"page": budget, "reason": reason, "title": title},
        status=403,
    )


def _project(budget, project_id):
    project = BudgetProjectPage.objects.live().child_of(budget).filter(pk=project_id).first()
    if project is None:
        raise Http404
    return project


def _save_image(project, form):
    upload = form.cleaned_data.get("image")
    if upload:
        BudgetProjectImage.objects.create(
            project=project, file=upload, alt=form.cleaned_data.get("image_alt", "")
        )


def submit_project(request, budget):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    site = Site.find_for_request(request)
    reason = permissions.submit_refusal(request.user, budget, site)
    if reason:
        return _refused(request, budget, reason, _("Propose a project"))
    form = ProjectForm(request.POST or None, request.FILES or None, budget=budget, site=site)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            # One new page at a time under a budget: a double click gets its own slug.
            parent = BudgetPage.objects.select_for_update().get(pk=budget.pk)
            order = BudgetProjectPage.objects.child_of(parent).count()
            project = BudgetProjectPage(
                title=data["title"],
                description=data["description"],
                cost=data["cost"],
                heading=data["heading"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                author=request.user,
                owner=request.user,
                submitted_at=timezone.now(),
                file_order=order,
                live=True,
            )
            parent.add_child(instance=project)
            project.save_revision(user=request.user, log_action=True)
            _save_image(project, form)
        messages.success(request, _("Your project is submitted. Staff will review it."))
        return redirect(project.get_url(request))
    return TemplateResponse(
        request,
        "budgeting/project_form.html",
        {"page": budget, "form": form, "editing": None},
        status=400 if request.method == "POST" else 200,
    )


def edit_project(request, budget, project_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    site = Site.find_for_request(request)
    project = _project(budget, project_id)
    reason = permissions.edit_refusal(request.user, project, budget, site)
    if reason:
        return _refused(request, budget, reason, _("Edit your project"))
    initial = {
        name: getattr(project, name)
        for name in ("title", "description", "cost", "heading", "latitude", "longitude")
    }
    form = ProjectForm(
        request.POST or None, request.FILES or None, budget=budget, site=site, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            for name in ("title", "description", "cost", "heading", "latitude", "longitude"):
                setattr(project, name, data.get(name))
            project.save_revision(user=request.user, log_action=True).publish(
                user=request.user, skip_permission_checks=True
            )
            _save_image(project, form)
        messages.success(request, _("Your changes are saved."))
        return redirect(project.get_url(request))
    return TemplateResponse(
        request,
        "budgeting/project_form.html",
        {"page": budget, "form": form, "editing": project},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def support_project(request, budget, project_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    site = Site.find_for_request(request)
    project = _project(budget, project_id)
    reason = permissions.support_refusal(request.user, project, budget, site)
    if reason:
        return _refused(request, budget, reason, _("Support a project"))
    if request.POST.get("action") == "withdraw":
        if BudgetSupport.withdraw(project, request.user):
            messages.success(request, _("Your support is withdrawn."))
        return redirect(project.get_url(request))
    try:
        added = BudgetSupport.give(project, budget, request.user)
    except SupportLimitReached as limit:
        return _refused(
            request,
            budget,
            _(
                "You have already supported %(limit)d projects, as many as this budget allows. "
                "Withdraw a support to give it to another project."
            )
            % {"limit": limit.limit},
            _("Support a project"),
        )
    if added:
        messages.success(request, _("You support this project."))
    return redirect(project.get_url(request))
