"""Which adapter serves which channel, built from the settings."""

from __future__ import annotations

from typing import TypeAlias

from ventanilla.adapters.base import Acknowledgement, ChannelAdapter
from ventanilla.adapters.email import EmailAdapter
from ventanilla.adapters.telegram import TelegramAdapter
from ventanilla.adapters.twilio import TwilioAdapter
from ventanilla.adapters.x import XAdapter
from ventanilla.app import App
from ventanilla.errors import ChannelError
from ventanilla.settings import Settings

TWILIO_CHANNELS = ("sms", "whatsapp", "voice")


class UnavailableChannel:
    """A channel whose adapter is not enabled: sending fails for good, with the reason."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel = channel
        self.reason = reason

    def send(self, ack: Acknowledgement) -> str:
        raise ChannelError(self.channel, self.reason, retryable=False)


Sender: TypeAlias = EmailAdapter | TelegramAdapter | TwilioAdapter | XAdapter | UnavailableChannel


def sender_for(channel: str, app: App) -> Sender:
    """The process's sender for `channel`, built once: it may keep a connection open."""
    sender = app.senders.get(channel)
    if sender is None:
        sender = app.senders[channel] = _build_sender(channel, app.settings)
    return sender  # type: ignore[no-any-return]


def _build_sender(channel: str, settings: Settings) -> Sender:
    if channel == "email":
        return EmailAdapter(settings.email)
    if channel == "telegram" and settings.telegram.enabled:
        return TelegramAdapter(settings.telegram)
    if channel in TWILIO_CHANNELS and settings.twilio.enabled:
        return TwilioAdapter(settings)
    if channel == "x" and settings.x.enabled:
        return XAdapter(settings)
    return UnavailableChannel(channel, f"acknowledgements by {channel} are not enabled")


def polling_adapters(settings: Settings, only: str | None = None) -> list[ChannelAdapter]:
    """The enabled adapters that fetch from a provider (the web form pushes instead)."""
    adapters: list[ChannelAdapter] = []
    if settings.email.enabled and only in (None, "email"):
        adapters.append(EmailAdapter(settings.email))
    telegram = settings.telegram
    # In webhook mode Telegram pushes to the web app; getUpdates would answer 409.
    if telegram.enabled and telegram.mode == "polling" and only in (None, "telegram"):
        adapters.append(TelegramAdapter(telegram))
    if settings.twilio.enabled and only in (None, *TWILIO_CHANNELS):
        adapters.append(TwilioAdapter(settings))
    if settings.x.enabled and only in (None, "x"):
        adapters.append(XAdapter(settings))
    return adapters
