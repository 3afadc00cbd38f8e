"""Sending mail as a background job, so a slow mail server never holds up a request."""

from django.core.mail import EmailMultiAlternatives

from cms.jobs import enqueue


def deliver(subject, body, to, from_email=None, html=None, headers=None):
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def send_later(message):
    """Queue an EmailMessage (as its parts) for delivery after the transaction commits."""
    html = next(
        (
            content
            for content, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        None,
    )
    enqueue(
        deliver,
        message.subject,
        message.body,
        list(message.to),
        from_email=message.from_email,
        html=html,
        headers=dict(message.extra_headers),
        queue="mail",
    )
