"""Periodic jobs of the home app for rq's cron scheduler: `python manage.py rqcron home.cron`."""

from rq import cron


def snapshot_dashboards():
    from django.core.management import call_command

    call_command("snapshot_dashboard")


# Daily: recount the dashboards' last finished weeks (late rows, moderation since).
cron.register(snapshot_dashboards, "default", interval=24 * 3600, job_timeout=1800)
