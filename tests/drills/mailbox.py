"""A mailbox a separate worker process writes to, and the checker that counts it.

Each message is one `.eml` file. Flag files steer the drills: `hang-<address>` makes the
sender hang before that message (a worker to kill mid-send), `fail-<address>` makes it
fail (a job that fails).
"""

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
            time.sleep(getattr(settings, "DRILL_MAIL_DELAY", 0))
            (directory / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(messages)


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
