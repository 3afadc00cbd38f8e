"""Make every cached comment and debate counter equal its rows again (safe to run any time)."""

from django.core.management.base import BaseCommand
from django.db.models import Count, Max

from participation.models import Comment, DebatePage, DebateVote


class Command(BaseCommand):
    help = "Recompute comment vote and reply counters and debate vote and comment counters."

    def handle(self, *args, **options):
        fixed = Comment.recount()
        debates = 0
        for debate in DebatePage.objects.all().only("pk"):
            DebateVote.recount(debate.pk)
            stats = Comment.objects.filter(page_id=debate.pk).aggregate(
                n=Count("pk"), last=Max("created_at")
            )
            DebatePage.objects.filter(pk=debate.pk).update(
                comment_count=stats["n"], last_comment_at=stats["last"]
            )
            debates += 1
        self.stdout.write(f"Comments corrected: {fixed}. Debates recounted: {debates}.")
