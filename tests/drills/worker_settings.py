"""Settings of the drills' separate rq worker: the test settings, mail into a directory."""

import os

from cms.settings.test import *  # noqa: F403

EMAIL_BACKEND = "bench.mailbox.DirectoryBackend"
EMAIL_FILE_PATH = os.environ["DRILL_MAILBOX"]
DRILL_MAIL_DELAY = float(os.environ.get("DRILL_MAIL_DELAY", "0"))
OUTBOX_RETRY_INTERVALS = [0]
