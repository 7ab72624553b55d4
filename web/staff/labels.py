"""How staff pages name things in Spanish: statuses, channels, audit actions."""

from __future__ import annotations

from typing import Final

from ventanilla.routing.types import TYPE_LABELS

CASE_STATUS_LABELS: Final = {
    "radicado": "En trámite",
    "respondido": "Respondido",
    "trasladado": "Trasladado por competencia",
    "anulado": "Anulado",
}
CHANNEL_LABELS: Final = {
    "email": "Correo electrónico",
    "web": "Formulario web",
    "telegram": "Telegram",
    "x": "X",
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "voice": "Buzón de voz",
}
MESSAGE_STATUS_LABELS: Final = {
    "pending": "En proceso",
    "case": "Abrió el caso",
    "follow_up": "Seguimiento",
    "duplicate": "Duplicado",
    "review": "Espera revisión",
    "dismissed": "Revisado: no es solicitud",
    "mention": "Mención en el feed",
    "ignored": "No radicado",
    "quarantined": "En cuarentena",
}
ACK_STATUS_LABELS: Final = {
    "pending": "Pendiente",
    "sending": "Enviándose",
    "sent": "Enviado",
    "failed": "Falló",
    "skipped": "No enviado",
}
AUDIT_LABELS: Final = {
    "received": "Mensaje recibido",
    "radicated": "Radicado",
    "annulled": "Anulado",
    "corrected": "Tipo o dependencia corregidos",
    "forwarded": "Trasladado por competencia",
    "answered": "Respuesta registrada",
    "follow_up": "Llegó un mensaje de seguimiento",
    "retried": "Reintentado desde la cuarentena",
    "filed_from_review": "Radicado tras revisión",
    "dismissed_after_review": "Revisado: no es una solicitud",
    "sent": "Acuse enviado",
    "failed": "El acuse falló",
    "send_error": "Error temporal al enviar el acuse",
    "stage:classify": "Mensaje en clasificación",
    "stage:dedupe": "Mensaje en revisión de duplicados",
    "stage:radicate": "Mensaje listo para radicar",
    "stage:done": "Mensaje procesado",
}
ENTITY_LABELS: Final = {"case": "Caso", "message": "Mensaje", "outbox": "Acuse"}


def label_set() -> dict[str, dict[str, str]]:
    """Every table at once, for templates."""
    return {
        "types": dict(TYPE_LABELS),
        "case_status": CASE_STATUS_LABELS,
        "channels": CHANNEL_LABELS,
        "message_status": MESSAGE_STATUS_LABELS,
        "ack_status": ACK_STATUS_LABELS,
        "audit": AUDIT_LABELS,
        "entities": ENTITY_LABELS,
    }
