"""A mailbox that separate processes (rq workers, gunicorn) deliver to, and what counts it.

Fault drills (tests/drills/, bench/drills.py) set `EMAIL_BACKEND = "bench.mailbox.DirectoryBackend"`
and `EMAIL_FILE_PATH` to a directory: each message delivered is one `.eml` file there, so a
drill counts what recipients actually received. Flag files steer the drills: `hang-<address>`
makes the sender hang before that message (a worker to kill mid-send), `fail-<address>` makes
it fail (a job that fails). `DRILL_MAIL_DELAY` (settings or environment) slows each send.
"""

import os
import time
import uuid
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class DirectoryBackend(BaseEmailBackend):
    def send_messages(self, messages):
        directory = Path(settings.EMAIL_FILE_PATH)
        for message in messages:
            for address in message.to:
                if (directory / f"hang-{address}").exists():
                    (directory / "hanging").write_text(address)
                    time.sleep(3600)
                if (directory / f"fail-{address}").exists():
                    raise ConnectionRefusedError("the drill's mail server refuses this one")
            time.sleep(
                float(getattr(settings, "DRILL_MAIL_DELAY", os.environ.get("DRILL_MAIL_DELAY", 0)))
            )
            (directory / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(messages)


def read(directory):
    """Every message delivered, parsed."""
    for path in sorted(Path(directory).glob("*.eml")):
        yield message_from_bytes(path.read_bytes(), policy=policy.default)


def delivered(directory):
    """How many mails each address received, and each message's subject."""
    counts = Counter()
    subjects = []
    for path in Path(directory).glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        for address in message.get_all("to", []):
            counts[str(address)] += 1
        subjects.append(str(message["subject"]))
    return counts, subjects


def check(expected, directory):
    """(lost, duplicated): per address, mails missing and mails more than expected."""
    counts, _subjects = delivered(directory)
    lost = Counter(expected) - counts
    duplicated = counts - Counter(expected)
    return lost, duplicated
