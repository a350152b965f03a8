"""Webhooks: a signed JSON payload for other systems, and the text messages of DingTalk and
WeCom group robots."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import quote_plus

import httpx
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from inspection import clock
from inspection.notifications.email import absolute
from inspection.notifications.messages import render_kind
from inspection.notifications.models import WebhookEndpoint
from inspection.notifications.models import WebhookFlavour
from inspection.notifications.outcome import GiveUp
from inspection.notifications.outcome import TryAgain

# Robot error codes that mean "too many messages just now" (try again later).
ROBOT_BUSY = {130101, 45009, 45033}


@dataclass(frozen=True)
class Request:
    """What to post where."""

    url: str
    body: bytes
    headers: dict[str, str]


def sign_generic(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what a receiver recomputes to trust a post."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def sign_dingtalk(secret: str, timestamp_ms: str) -> str:
    """DingTalk's robot signature: base64 HMAC-SHA256 of "<timestamp>\\n<secret>", URL-quoted."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return quote_plus(base64.b64encode(mac.digest()))


def build(endpoint: WebhookEndpoint, *, key: str, kind: str, params: dict, link: str | None):
    """The request for one message, worded in the park's language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, body = render_kind(kind, params)
    url = absolute(link)
    if endpoint.flavour == WebhookFlavour.GENERIC:
        payload = {
            "id": key,
            "kind": kind,
            "subject": subject,
            "text": body,
            "link": url,
            "params": params,
            "sent_at": clock.now().isoformat(),
        }
        data = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Inspection-Delivery": key}
        if endpoint.secret:
            timestamp = str(int(time.time()))
            headers["X-Inspection-Timestamp"] = timestamp
            headers["X-Inspection-Signature"] = sign_generic(endpoint.secret, timestamp, data)
        return Request(endpoint.url, data, headers)
    content = f"【{subject}】\n{body}\n{url}" if body else f"【{subject}】\n{url}"
    data = json.dumps(
        {"msgtype": "text", "text": {"content": content}}, ensure_ascii=False
    ).encode()
    target = endpoint.url
    if endpoint.flavour == WebhookFlavour.DINGTALK and endpoint.secret:
        timestamp_ms = str(int(time.time() * 1000))
        joiner = "&" if "?" in target else "?"
        target += (
            f"{joiner}timestamp={timestamp_ms}&sign={sign_dingtalk(endpoint.secret, timestamp_ms)}"
        )
    return Request(target, data, {"Content-Type": "application/json; charset=utf-8"})


def post(endpoint: WebhookEndpoint, request: Request, *, timeout: float) -> None:
    """Post; raise TryAgain or GiveUp with what the receiver said."""
    try:
        response = httpx.post(
            request.url, content=request.body, headers=request.headers, timeout=timeout
        )
    except httpx.HTTPError as down:
        raise TryAgain(
            _("cannot reach %(host)s: %(error)s", host=_host(request.url), error=down)
        ) from down
    if response.status_code == 429 or response.status_code >= 500:
        raise TryAgain(
            _(
                "%(host)s answered HTTP %(status)s; it will be tried again",
                host=_host(request.url),
                status=response.status_code,
            )
        )
    if response.status_code >= 300:
        raise GiveUp(
            _(
                "%(host)s refused the message: HTTP %(status)s %(text)s",
                host=_host(request.url),
                status=response.status_code,
                text=response.text[:200],
            )
        )
    if endpoint.flavour in (WebhookFlavour.DINGTALK, WebhookFlavour.WECOM):
        try:
            answer = response.json()
        except ValueError as garbled:
            raise GiveUp(
                _("the robot did not answer JSON: %(text)s", text=response.text[:200])
            ) from garbled
        code = answer.get("errcode", 0)
        if code:
            error = TryAgain if code in ROBOT_BUSY else GiveUp
            raise error(
                _(
                    "the robot refused the message: %(code)s %(message)s",
                    code=code,
                    message=answer.get("errmsg", ""),
                )
            )


def _host(url: str) -> str:
    return httpx.URL(url).host or url
