"""The demo's mail backend: mails printed in the terminal as a person reads them.

Django's console backend prints the raw MIME message, where a Korean subject is an
encoded word (=?utf-8?b?...?=) and the body may be base64. This one prints the headers
and the plain-text body decoded.
"""

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend


class EmailBackend(ConsoleEmailBackend):
    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            *(f"{name}: {value}" for name, value in message.extra_headers.items()),
            "",
            message.body.rstrip(),
        ]
        if any(
            mimetype == "text/html" for _content, mimetype in getattr(message, "alternatives", [])
        ):
            lines += ["", "(This mail also has an HTML version, not shown here.)"]
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
