"""Periodic jobs of the home app, registered with rq's cron (found by cms.cron)."""

from rq import cron


def snapshot_dashboards():
    from django.core.management import call_command

    call_command("snapshot_dashboard")


# Daily: recount the dashboards' last finished weeks (late rows, moderation since).
cron.register(snapshot_dashboards, "default", interval=24 * 3600, job_timeout=1800)
