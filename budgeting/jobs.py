"""Counting as a background job (django-rq), with its progress on the stored result."""

from django.contrib.auth import get_user_model

from budgeting import tallying
from budgeting.models import BudgetResult


def run_tally(result_id, user_id=None):
    result = BudgetResult.objects.select_related("heading").get(pk=result_id)
    if result.is_published:
        return
    BudgetResult.objects.filter(pk=result_id).update(status=BudgetResult.Status.RUNNING, progress=5)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None

    def progress(percent):
        BudgetResult.objects.filter(pk=result_id).update(progress=max(5, min(percent, 99)))

    try:
        tallying.compute(result.heading, result.rule, user=user, progress=progress)
    except tallying.ResultPublished:
        return
    except Exception as error:
        BudgetResult.objects.filter(pk=result_id).update(
            status=BudgetResult.Status.FAILED, error=str(error)[:2000]
        )
        raise
