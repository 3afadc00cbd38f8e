"""Periodic jobs of the open data app, registered with rq's cron (found by cms.cron)."""

from django.conf import settings
from rq import cron

from opendata.bundle import rebuild_all

# Every municipality's bundle, rebuilt daily by default (OPEN_DATA_INTERVAL_SECONDS).
cron.register(rebuild_all, "default", interval=settings.OPEN_DATA_INTERVAL_SECONDS, job_timeout=300)
