"""Reminder mail over SMTP: multipart text and HTML, `Message-ID` taken from the dedup key.

Because the `Message-ID` is the reminder's dedup key, a mail sent twice (a sweep crashed
between sending and marking) is recognisable as the same mail by any receiving system.
"""

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from notifications.content import ReminderContent, render_mail
from workflow.settings import Settings

FALLBACK_DOMAIN = "opi-workflow.invalid"


def message_id(dedup_key: str, mail_from: str) -> str:
    """`<dedup-key@sender-domain>`: stable for one reminder, unique across reminders."""
    domain = mail_from.rpartition("@")[2].strip("> ") or FALLBACK_DOMAIN
    return f"<{dedup_key}@{domain}>"


def build_message(settings: Settings, content: ReminderContent, now: datetime) -> EmailMessage:
    """The reminder mail to the recipient organisation, in its language."""
    rendered = render_mail(content)
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = settings.mail_from
    message["To"] = formataddr((content.recipient_name, content.recipient_email))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(content.dedup_key, settings.mail_from)
    message["Auto-Submitted"] = "auto-generated"
    message["X-OPI-Dedup-Key"] = content.dedup_key
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message["Content-Language"] = content.language  # after the bodies: they reset Content-*
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Hand the mail to `OPI_SMTP_HOST`; any refusal or network error raises."""
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.delivery_timeout
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)
