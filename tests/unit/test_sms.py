"""SMS cost (GSM-7 / UCS-2 segments), GSM-7 transliteration, and the SMS and WhatsApp texts."""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ventanilla.routing.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SmsCost,
    fit_sms,
    segments,
    to_gsm7,
)
from ventanilla.routing.types import REQUEST_TYPES, TYPE_LABELS
from ventanilla.settings import EntitySettings, PrioritySettings, Settings, WebSettings
from ventanilla.store.outbox import PendingAck
from ventanilla.store.pipeline import CaseFacts
from ventanilla.templates import case_context, environment, load_faqs, render_acknowledgement

# ---------------------------------------------------------------- the GSM 03.38 tables


def test_basic_table_has_the_127_characters_of_gsm_03_38() -> None:
    # 128 positions minus 0x1B, the escape to the extension table.
    assert len(GSM7_BASIC) == 127
    assert GSM7_BASIC.isdisjoint(GSM7_EXTENSION)


@pytest.mark.parametrize("char", list("¡¿ñÑéÉüÜàèìòùÇ@£$¥¤§_ΔΩ\n\r"))
def test_spanish_and_odd_characters_in_the_basic_table(char: str) -> None:
    assert char in GSM7_BASIC


@pytest.mark.parametrize("char", list("áíóúÁÍÓÚçÈ`€{}[]~\\|^\f\t"))
def test_characters_outside_the_basic_table(char: str) -> None:
    assert char not in GSM7_BASIC


def test_extension_table() -> None:
    assert frozenset("\f^{}\\[~]|€") == GSM7_EXTENSION


# ---------------------------------------------------------------- segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsCost("GSM-7", 0, 0, 1)),
        ("a" * 160, SmsCost("GSM-7", 160, 160, 1)),
        ("a" * 161, SmsCost("GSM-7", 161, 161, 2)),
        ("a" * 306, SmsCost("GSM-7", 306, 306, 2)),
        ("a" * 307, SmsCost("GSM-7", 307, 307, 3)),
        ("ñ¡¿é" * 40, SmsCost("GSM-7", 160, 160, 1)),
        # Extension characters cost two septets.
        ("{" * 80, SmsCost("GSM-7", 80, 160, 1)),
        ("€" + "a" * 159, SmsCost("GSM-7", 160, 161, 2)),
        ("a[]~|^\\\f", SmsCost("GSM-7", 8, 15, 1)),
        # An escape sequence is never split: 152 + "€" would straddle segment 1 and 2.
        ("a" * 152 + "€" + "a" * 152, SmsCost("GSM-7", 305, 306, 3)),
        ("a" * 151 + "€" + "a" * 153, SmsCost("GSM-7", 305, 306, 2)),
        # One character outside GSM-7 makes it all UCS-2: 70 in one, 67 concatenated.
        ("ó" + "a" * 159, SmsCost("UCS-2", 160, 160, 3)),
        ("ó" * 70, SmsCost("UCS-2", 70, 70, 1)),
        ("ó" * 71, SmsCost("UCS-2", 71, 71, 2)),
        ("ó" * 134, SmsCost("UCS-2", 134, 134, 2)),
        ("ó" * 135, SmsCost("UCS-2", 135, 135, 3)),
        # An emoji is two UTF-16 code units, and a surrogate pair is never split either.
        ("😀", SmsCost("UCS-2", 1, 2, 1)),
        ("😀" * 35, SmsCost("UCS-2", 35, 70, 1)),
        ("ó" * 66 + "😀" + "ó" * 66, SmsCost("UCS-2", 133, 134, 3)),
        ("ó" * 65 + "😀" + "ó" * 67, SmsCost("UCS-2", 133, 134, 2)),
    ],
    ids=lambda value: value[:12] if isinstance(value, str) else None,
)
def test_segments(text: str, expected: SmsCost) -> None:
    assert segments(text) == expected


# ---------------------------------------------------------------- to_gsm7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("áíóúÁÍÓÚ", "aiouAIOU"),
        ("Petición de información", "Peticion de informacion"),
        # Already GSM-7: kept as they are.
        ("ñÑéÉüÜ¡¿àèìòùÇ", "ñÑéÉüÜ¡¿àèìòùÇ"),
        ("¿Cuándo? ¡Año nuevo, pingüino!", "¿Cuando? ¡Año nuevo, pingüino!"),
        ("{[€]}", "{[€]}"),
        # Typography to plain.
        ("“comillas” ‘simples’ «angulares»", '"comillas" \'simples\' "angulares"'),
        ("a–b—c", "a-b-c"),
        ("espere…", "espere..."),
        ("15\u00a0días\u202fhábiles", "15 dias habiles"),
        ("tab\there", "tab here"),
        ("1º y 2ª, N° 5", "1o y 2a, No 5"),
        ("sin\u200bespacio\u00adsuave", "sinespaciosuave"),
        # NFC first: a decomposed accent is handled like a composed one.
        ("e\u0301 o\u0301 n\u0303", "é o ñ"),
        # NFKD strips other accents and unfolds compatibility forms.
        ("çâêÀÈÕ", "caeAEO"),
        ("ﬁn ½ x²", "fin 1/2 x2"),
        # Nothing close: '?'. Emoji modifiers and joiners vanish with the emoji.
        ("gracias 😀", "gracias ?"),
        ("👍🏽", "?"),
        ("❤️", "?"),
        ("王", "?"),
    ],
)
def test_to_gsm7(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected
    assert segments(to_gsm7(text)).encoding == "GSM-7"


# ---------------------------------------------------------------- fit_sms


@pytest.mark.parametrize(
    ("text", "max_segments", "expected"),
    [
        # GSM-7 as written: unchanged.
        ("Año ¿qué? ¡si!", 2, "Año ¿qué? ¡si!"),
        ("a" * 306, 2, "a" * 306),
        # Accents GSM-7 lacks: transliterated, one GSM-7 segment instead of three UCS-2.
        ("ó" + "a" * 159, 2, "o" + "a" * 159),
        ("Petición " * 10, 1, "Peticion " * 10),
        # Short and with an emoji: '?' would change the text, UCS-2 fits, so as written.
        ("Gracias 😀 Petición", 2, "Gracias 😀 Petición"),
        # Long with an emoji: UCS-2 does not fit, the transliteration does.
        ("😀" + "ó" * 200, 2, "?" + "o" * 200),
    ],
    ids=["gsm7", "gsm7-full", "accent", "accents-1seg", "emoji-short", "emoji-long"],
)
def test_fit_sms(text: str, max_segments: int, expected: str) -> None:
    fitted = fit_sms(text, max_segments)

    assert fitted == expected
    assert segments(fitted).segments <= max_segments


def test_fit_sms_default_is_two_segments() -> None:
    assert fit_sms("a" * 306) == "a" * 306
    with pytest.raises(ValueError, match="needs 3 segments"):
        fit_sms("a" * 307)


@pytest.mark.parametrize(
    ("text", "max_segments", "needed"),
    [
        ("a" * 307, 2, 3),
        ("a" * 161, 1, 2),
        ("ó" * 500, 2, 4),  # 500 septets once transliterated: 4 segments of 153
        ("王" * 400, 2, 3),  # 400 septets as "?": 3 segments of 153 (UCS-2 would take 6)
    ],
)
def test_fit_sms_names_the_segments_needed(text: str, max_segments: int, needed: int) -> None:
    with pytest.raises(ValueError, match=f"needs {needed} segments.*at most {max_segments}"):
        fit_sms(text, max_segments)


def test_fit_sms_rejects_a_zero_budget() -> None:
    with pytest.raises(ValueError, match="max_segments"):
        fit_sms("hola", 0)


# ---------------------------------------------------------------- the templates

# The longest realistic values: a 20-character radicado (and the default 17-digit one), a
# two-digit day in the longest Spanish month, the longest type label, SPE's public URL and
# privacy policy URL, and a long citizen name.
LONG_RADICADO = "20261000000001234567"
DEFAULT_RADICADO = "20261000001234562"
PUBLIC_URL = "https://www.serviciodeempleo.gov.co"
LONG_NAME = "María de los Ángeles Rodríguez-Castañeda de la Torre y Villamizar Ñúñez"
LONGEST_TYPE = max(REQUEST_TYPES, key=lambda slug: len(TYPE_LABELS[slug]))
FILED_AT = datetime(2026, 9, 30, 15, 59, tzinfo=ZoneInfo("America/Bogota"))
DUE = date(2026, 9, 30)
# Every priority flag at once, a term the entity shortens, and the frequent questions.
PRIORITY = ("nna", "periodista", "riesgo_derecho_fundamental", "discapacidad")
SETTINGS = Settings(
    web=WebSettings(public_url=PUBLIC_URL),
    priority=PrioritySettings(term_days={"riesgo_derecho_fundamental": 3}),
)
FAQ_IDS = [faq.id for faq in load_faqs()]


@pytest.fixture(autouse=True)
def no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings() reads VENTANILLA_* variables; none from outside may change what we render."""
    for name in list(os.environ):
        if name.upper().startswith("VENTANILLA_"):
            monkeypatch.delenv(name)


# The status link's secret as docsys/builtin.py makes it (token_urlsafe(12): 16 characters).
STATUS_TOKEN = "Ab-_Cd3eFg4hIj5k"


def long_context(
    radicado: str = LONG_RADICADO,
    request_type: str = LONGEST_TYPE,
    *,
    flags: tuple[str, ...] = (),
    faq_id: str = "",
) -> dict[str, Any]:
    case = CaseFacts(
        id=1,
        radicado=radicado,
        filed_at=FILED_AT,
        due_date=DUE,
        type=request_type,
        status_token=STATUS_TOKEN,
    )
    return case_context(case, SETTINGS, flags=flags, faq_id=faq_id) | {"name": LONG_NAME}


def render(channel: str, context: dict[str, Any]) -> str:
    return environment.get_template(f"ack/{channel}.txt.j2").render(context)


def test_the_longest_values_are_the_ones_we_mean() -> None:
    context = long_context()

    assert TYPE_LABELS[LONGEST_TYPE] == "Petición de documentos o información"
    assert context["filed_at"] == "30 de septiembre de 2026, 15:59 (hora de Colombia)"
    assert context["due_date"] == "30 de septiembre de 2026"
    assert context["status_url"] == f"{PUBLIC_URL}/estado/{LONG_RADICADO}?c={STATUS_TOKEN}"
    assert context["privacy_url"] == EntitySettings().privacy_policy_url


@pytest.mark.parametrize("radicado", [LONG_RADICADO, DEFAULT_RADICADO])
@pytest.mark.parametrize("request_type", REQUEST_TYPES)
def test_sms_fits_two_segments_with_the_longest_values(radicado: str, request_type: str) -> None:
    text = fit_sms(render("sms", long_context(radicado, request_type)))
    cost = segments(text)

    assert cost.segments <= 2, f"SMS takes {cost} ({len(text)} characters):\n{text}"


@pytest.mark.parametrize("radicado", [LONG_RADICADO, DEFAULT_RADICADO])
def test_sms_states_radicado_dates_and_links(radicado: str) -> None:
    context = long_context(radicado)
    text = fit_sms(render("sms", context))

    assert text.startswith(f"Radicado {radicado}\n")
    for item in ("filed_at", "due_date", "status_page_url", "privacy_url"):
        assert to_gsm7(context[item]) in text, item


def test_sms_leaves_the_name_out() -> None:
    """Personal data on a lock screen, and an unbounded length: the SMS never carries it."""
    text = render("sms", long_context())

    assert LONG_NAME not in text
    assert "María" not in text


def test_sms_with_the_longest_values_is_plain_gsm7() -> None:
    text = render("sms", long_context())

    assert fit_sms(text) == text
    assert segments(text).encoding == "GSM-7"


@pytest.mark.parametrize("radicado", [LONG_RADICADO, DEFAULT_RADICADO])
@pytest.mark.parametrize(
    "item",
    ["radicado", "filed_at", "type_label", "due_date", "status_url", "privacy_url", "entity"],
)
def test_whatsapp_states_everything_design_asks(radicado: str, item: str) -> None:
    context = long_context(radicado)
    text = render("whatsapp", context)

    assert context[item] in text


def test_whatsapp_starts_with_the_radicado_and_the_date() -> None:
    context = long_context()
    first, second = render("whatsapp", context).splitlines()[:2]

    assert first == f"*Radicado: {LONG_RADICADO}*"
    assert second == f"Fecha y hora de radicación: {context['filed_at']}"


@pytest.mark.parametrize(("name", "greeting"), [(LONG_NAME, f"Hola, {LONG_NAME}."), ("", "Hola.")])
def test_whatsapp_greets_by_name_when_known(name: str, greeting: str) -> None:
    text = render("whatsapp", long_context() | {"name": name})

    assert f"\n{greeting} Recibimos su solicitud" in text


def test_whatsapp_is_plain_text_within_twilios_limit() -> None:
    text = render("whatsapp", long_context())

    assert len(text) <= 1600, len(text)  # Twilio's body limit (error 21617)
    assert "<" not in text
    assert "](" not in text  # no Markdown links: WhatsApp would show them as typed
    assert "{#" not in text and "#}" not in text
    assert not text.startswith("\n")


# ---------------------------------------------------------------- priority and frequent questions


@pytest.mark.parametrize("radicado", [LONG_RADICADO, DEFAULT_RADICADO])
@pytest.mark.parametrize("request_type", REQUEST_TYPES)
def test_sms_with_priority_attention_still_fits_two_segments(
    radicado: str, request_type: str
) -> None:
    context = long_context(radicado, request_type, flags=PRIORITY, faq_id=FAQ_IDS[0])
    text = fit_sms(render("sms", context))
    cost = segments(text)

    assert cost.segments <= 2, f"SMS takes {cost} ({len(text)} characters):\n{text}"
    assert cost.encoding == "GSM-7"
    assert f"\nAtencion prioritaria. Plazo: {to_gsm7(context['due_date'])}\n" in text


def test_sms_never_carries_a_frequent_question() -> None:
    with_faq = render("sms", long_context(faq_id=FAQ_IDS[0]))

    assert with_faq == render("sms", long_context())


def whatsapp_ack(
    name: str, flags: tuple[str, ...], faq_id: str, settings: Settings = SETTINGS
) -> str:
    case = CaseFacts(
        id=1,
        radicado=LONG_RADICADO,
        filed_at=FILED_AT,
        due_date=DUE,
        type="informacion",
        status_token=STATUS_TOKEN,
    )
    pending = PendingAck(
        outbox_id=1,
        channel="whatsapp",
        recipient="whatsapp:+573001234567",
        case=case,
        message_channel="whatsapp",
        thread_id="",
        sender_name=name,
        references=[],
        flags=flags,
        faq_id=faq_id,
    )
    return render_acknowledgement(pending, settings).text


@pytest.mark.parametrize("faq_id", FAQ_IDS)
@pytest.mark.parametrize("flags", [(), ("riesgo_derecho_fundamental",), PRIORITY])
@pytest.mark.parametrize("name", ["Ana", LONG_NAME, "N" * 200])
def test_whatsapp_with_priority_and_any_faq_stays_within_twilios_limit(
    faq_id: str, flags: tuple[str, ...], name: str
) -> None:
    text = whatsapp_ack(name, flags, faq_id)

    assert len(text) <= 1600, len(text)
    assert LONG_RADICADO in text and "30 de septiembre de 2026" in text
    if flags:
        assert "Su solicitud tiene atención prioritaria, como lo ordena la ley" in text


@pytest.mark.parametrize("faq_id", FAQ_IDS)
def test_whatsapp_carries_the_whole_answer_when_it_fits(faq_id: str) -> None:
    text = whatsapp_ack("Ana", (), faq_id)
    [faq] = [faq for faq in load_faqs() if faq.id == faq_id]

    assert "Mientras respondemos, esto puede ayudarle:\n" + faq.title in text
    assert faq.blocks[0].items[0].replace("{{ contact_phone }}", "(601) 756 0009") in text
    assert "Su solicitud sigue radicada: le responderemos a más tardar el 30 de septiembre" in text


def test_whatsapp_gives_the_title_and_link_when_the_answer_does_not_fit() -> None:
    text = whatsapp_ack(LONG_NAME, PRIORITY, "prestador-cercano")

    assert "Mientras respondemos, esto puede ayudarle:" in text
    assert "Más información: https://www.serviciodeempleo.gov.co" in text
    assert "Su solicitud sigue radicada" in text


def test_whatsapp_leaves_the_faq_out_when_even_its_title_does_not_fit() -> None:
    # A name that long is left out (routing/names.py): the entity's name fills it instead.
    entity = SETTINGS.entity.model_copy(update={"name": "N" * 1000})
    text = whatsapp_ack(
        "Ana", PRIORITY, "prestador-cercano", SETTINGS.model_copy(update={"entity": entity})
    )

    assert "Mientras respondemos" not in text
    assert LONG_RADICADO in text
