"""Email over SMTP: a message in the recipient's language, plain text and HTML, with a link."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import formatdate
from email.utils import parseaddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import User
from inspection.notifications.messages import render
from inspection.notifications.messages import render_kind
from inspection.notifications.models import Delivery
from inspection.notifications.models import EmailMode
from inspection.notifications.models import Notification
from inspection.notifications.outcome import GiveUp
from inspection.notifications.outcome import TryAgain


def absolute(link: str | None) -> str:
    """A path inside the app as a full address readers can open (PUBLIC_URL in the config)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + (link or "/notifications")


def compose(session: Session, delivery: Delivery) -> EmailMessage:
    """The email for one delivery (a single notification, or a digest of the held ones)."""
    user = session.get(User, delivery.recipient_id) if delivery.recipient_id else None
    if user is None or not user.active:
        raise GiveUp(_("the recipient no longer has an active account"))
    if not user.email:
        raise GiveUp(_("%(user)s has no email address", user=user.username))
    if user.email_mode == EmailMode.OFF:
        raise GiveUp(_("%(user)s has turned email off", user=user.username))
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        if delivery.kind == "digest":
            items = []
            for notification in session.exec(
                select(Notification)
                .join(Delivery, Delivery.notification_id == Notification.id)
                .where(Delivery.digest_id == delivery.id)
                .order_by(Notification.created_at, Notification.id)
            ):
                subject, body = render(notification)
                items.append({"subject": subject, "body": body, "url": absolute(notification.link)})
            subject, _body = render_kind("digest", {"count": len(items)})
        else:
            notification = session.get(Notification, delivery.notification_id)
            if notification is None:
                raise GiveUp(_("the notification was deleted"))
            item_subject, body = render(notification)
            subject = item_subject
            items = [{"subject": item_subject, "body": body, "url": absolute(notification.link)}]
        context = {
            "user": user,
            "subject": subject,
            "items": items,
            "park": current_app.config["PARK_NAME"],
            "settings_url": absolute("/account/notifications"),
            "locale": locale,
        }
        env = current_app.jinja_env
        text = env.get_template("emails/message.txt").render(context)
        html = env.get_template("emails/message.html").render(context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = formataddr((user.display_name, user.email))
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id(delivery.key)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def message_id(key: str) -> str:
    """The same Message-ID for the same delivery, so a resend after a crash is recognisable."""
    domain = parseaddr(current_app.config["MAIL_SENDER"])[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class Mailer:
    """One SMTP connection for a batch of messages, opened on the first one."""

    def __init__(self, config) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None
        self._down: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_exc) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
        try:
            if config["MAIL_USE_SSL"]:
                smtp = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
                if config["MAIL_USE_TLS"]:
                    smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except smtplib.SMTPAuthenticationError as refused:
            raise TryAgain(
                _(
                    "the SMTP server refused the login: %(reply)s. Check INSPECTION_MAIL_USERNAME"
                    " and INSPECTION_MAIL_PASSWORD.",
                    reply=_reply(refused),
                )
            ) from refused
        except (smtplib.SMTPException, OSError) as down:
            raise TryAgain(
                _(
                    "cannot reach the SMTP server %(server)s: %(error)s",
                    server=f"{host}:{port}",
                    error=down,
                )
            ) from down
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; raise TryAgain or GiveUp with the server's reason."""
        if self._down:
            raise TryAgain(self._down)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except TryAgain as down:
                self._down = str(down)
                raise
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            replies = "; ".join(f"{a}: {_reply(e)}" for a, e in refused.recipients.items())
            codes = [code for code, _text in refused.recipients.values()]
            error = GiveUp if all(code >= 500 for code in codes) else TryAgain
            raise error(
                _("the SMTP server refused the recipient: %(replies)s", replies=replies)
            ) from refused
        except smtplib.SMTPResponseException as refused:
            error = GiveUp if refused.smtp_code >= 500 else TryAgain
            raise error(
                _("the SMTP server refused the message: %(reply)s", reply=_reply(refused))
            ) from refused
        except (smtplib.SMTPException, OSError) as broken:
            self._smtp = None
            self._down = _("the SMTP connection broke: %(error)s", error=broken)
            raise TryAgain(self._down) from broken


def _reply(error) -> str:
    code, text = (error.smtp_code, error.smtp_error) if hasattr(error, "smtp_code") else error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}"
