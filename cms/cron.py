"""Periodic jobs for rq's cron scheduler: `python manage.py rqcron cms.cron`.

Apps add theirs in a `schedule.py` module of their own (found here at start-up), so cms
imports no app.
"""

from django.utils.module_loading import autodiscover_modules
from rq import cron

from cms.mail import sweep_outbox

# Every minute: queue again the mails whose job was lost (Redis down, a worker killed).
cron.register(sweep_outbox, "mail", interval=60, job_timeout=300)

autodiscover_modules("schedule")
