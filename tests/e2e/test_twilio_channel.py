"""SMS, WhatsApp and voice mail through Twilio, as they run: signed webhooks into the web
app, acknowledgements out through the real twilio library to a local fake of its API.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import Deployment, wait_until
from tests.fake_twilio import FakeTwilio

pytestmark = pytest.mark.e2e

ACCOUNT = "AC" + "1" * 32
TOKEN = "token-de-prueba"
SMS_FROM = "+15005550006"
WHATSAPP_FROM = "whatsapp:+14155238886"


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT, TOKEN) as server:
        yield server


@pytest.fixture
def phone(deployment_factory, fake, tmp_path) -> Deployment:
    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'v.db'}",
        twilio__enabled="true",
        twilio__account_sid=ACCOUNT,
        twilio__auth_token=TOKEN,
        twilio__api_url=fake.api_url,
        twilio__sms_from=SMS_FROM,
        twilio__whatsapp_from=WHATSAPP_FROM,
        store__attachments_dir=str(tmp_path / "attachments"),
    )
    deployment.start("web", "web")
    deployment.start("worker", "worker")
    return deployment


def post(
    deployment: Deployment, path: str, params: dict[str, str], *, token: str | None = TOKEN
) -> httpx.Response:
    """POST a webhook as Twilio would, signed for our public URL (unsigned if no token)."""
    url = f"{deployment.base_url}/webhooks/twilio/{path}"
    headers = {}
    if token is not None:
        fake = FakeTwilio.__new__(FakeTwilio)
        fake.auth_token = token
        headers["X-Twilio-Signature"] = fake.sign(url, params)
    return httpx.post(url, data=params, headers=headers, timeout=30)


def sms(sender: str, body: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": ACCOUNT,
        "From": sender,
        "To": SMS_FROM,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


def messages(deployment: Deployment) -> list[dict[str, Any]]:
    return deployment.cli_json("messages", "list")


def test_signed_sms_and_whatsapp_become_cases_acknowledged_on_their_channel(phone, fake):
    answer = post(phone, "messages", sms("+573001234567", "Necesito certificado de inscripcion"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert answer.text.endswith("<Response></Response>")
    whatsapp = sms("whatsapp:+573109876543", "Quiero poner una queja por mala atención")
    whatsapp["To"] = WHATSAPP_FROM
    assert post(phone, "messages", whatsapp).status_code == 200
    phone.cli("drain", "--timeout", "120")

    cases = {case["channel"]: case for case in phone.cli_json("cases", "list")}
    assert set(cases) == {"sms", "whatsapp"}
    sent = {message["To"]: message for message in fake.sent}
    assert set(sent) == {"+573001234567", "whatsapp:+573109876543"}
    by_sms = sent["+573001234567"]
    assert by_sms["From"] == SMS_FROM
    assert by_sms["Body"].startswith(f"Radicado {cases['sms']['radicado']}")
    assert by_sms["StatusCallback"] == f"{phone.base_url}/webhooks/twilio/status"
    by_whatsapp = sent["whatsapp:+573109876543"]
    assert by_whatsapp["From"] == WHATSAPP_FROM
    assert cases["whatsapp"]["radicado"] in by_whatsapp["Body"]

    # Twilio reports the delivery: it is recorded on the case.
    [sid] = fake.outbound_sids("+573001234567")
    report = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT}
    assert post(phone, "status", report).status_code == 204
    shown = phone.cli_json("cases", "show", cases["sms"]["radicado"])
    assert shown["ack_delivery"] == "delivered"


def test_forged_unsigned_replayed_and_malformed_webhooks(phone, fake):
    params = sms("+573001234567", "Solicito información")
    assert post(phone, "messages", params, token="otro-token").status_code == 403
    assert post(phone, "messages", params, token=None).status_code == 403
    tampered = dict(params)
    signed = post(phone, "messages", params)  # the genuine one
    assert signed.status_code == 200
    tampered["Body"] = "Texto cambiado por un tercero"
    url = f"{phone.base_url}/webhooks/twilio/messages"
    headers = {"X-Twilio-Signature": signed.request.headers.get("X-Twilio-Signature", "")}
    assert httpx.post(url, data=tampered, headers=headers).status_code == 403
    assert post(phone, "messages", params).status_code == 200  # replayed: same MessageSid
    assert post(phone, "messages", {"From": "+573001234567", "Body": "x"}).status_code == 400
    phone.cli("drain", "--timeout", "120")

    [message] = messages(phone)
    assert message["status"] == "case"
    assert len(fake.sent) == 1
    assert "twilio_signature_rejected" in phone.log("web")


def test_webhook_behind_a_proxy_is_checked_against_the_forwarded_url(phone):
    params = sms("+573001234567", "Solicito información")
    public = "https://pqrsdf.example.gov.co/webhooks/twilio/messages"
    fake = FakeTwilio.__new__(FakeTwilio)
    fake.auth_token = TOKEN
    headers = {
        "X-Twilio-Signature": fake.sign(public, params),
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "pqrsdf.example.gov.co",
    }
    url = f"{phone.base_url}/webhooks/twilio/messages"
    assert httpx.post(url, data=params, headers=headers).status_code == 200


def test_mms_media_is_downloaded_with_our_credentials_and_stored(phone, fake, tmp_path):
    photo = b"\x89PNG\r\n\x1a\n" + b"foto del documento" * 100
    resource = fake.add_inbound(
        None,
        "+573001234567",
        SMS_FROM,
        "Adjunto la foto de mi cédula",
        datetime.now(UTC),
        media=[("image/png", photo)],
    )
    form, _ = fake.inbound_webhook(resource["sid"], f"{phone.base_url}/webhooks/twilio/messages")
    assert post(phone, "messages", form).status_code == 200
    digest = hashlib.sha256(photo).hexdigest()
    assert (tmp_path / "attachments" / digest[:2] / digest).read_bytes() == photo
    media_requests = [r for r in fake.requests_log if "/Media/" in r.path]
    assert media_requests and all(r.username == ACCOUNT for r in media_requests)


def test_voice_mail_with_its_transcription_becomes_a_case_acknowledged_by_sms(phone, fake):
    call = {"CallSid": f"CA{uuid.uuid4().hex}", "From": "+576017560009", "AccountSid": ACCOUNT}
    answer = post(phone, "voice", call)
    assert answer.status_code == 200 and "<Record" in answer.text
    assert "protección de datos" in answer.text

    url = fake.add_recording(None, b"RIFF....WAVEfmt audio", mp3=b"ID3 audio mp3")
    recording = call | {
        "RecordingUrl": url,
        "RecordingSid": url.rsplit("/", 1)[-1],
        "RecordingDuration": "14",
    }
    done = post(phone, "recording", recording)
    assert done.status_code == 200 and "<Hangup/>" in done.text
    transcription = recording | {
        "TranscriptionStatus": "completed",
        "TranscriptionText": "Quiero saber cómo inscribirme en la bolsa de empleo",
    }
    assert post(phone, "recording", transcription).status_code == 200
    phone.cli("drain", "--timeout", "120")

    [case] = phone.cli_json("cases", "list")
    assert case["channel"] == "voice"
    [ack] = fake.sent
    assert ack["To"] == "+576017560009" and ack["From"] == SMS_FROM
    assert case["radicado"] in ack["Body"]

    # A caller who hangs up before the tone leaves no case.
    silent = {"CallSid": f"CA{uuid.uuid4().hex}", "From": "+573001112233", "AccountSid": ACCOUNT}
    assert post(phone, "recording", silent | {"RecordingDuration": "0"}).status_code == 200
    phone.cli("drain", "--timeout", "60")
    assert len(phone.cli_json("cases", "list")) == 1


def test_webhook_missed_then_found_by_the_poll_is_one_case(phone, fake):
    missed = fake.add_inbound(
        None, "+573001234567", SMS_FROM, "Solicito copia de mi certificado", datetime.now(UTC)
    )
    phone.cli("poll", "--channel", "sms", "--once")
    phone.cli("poll", "--channel", "sms", "--once")  # nothing new the second time
    # The webhook arrives late after all (Twilio retried it): still one message.
    form, _ = fake.inbound_webhook(missed["sid"], f"{phone.base_url}/webhooks/twilio/messages")
    assert post(phone, "messages", form).status_code == 200
    phone.cli("drain", "--timeout", "120")

    [message] = messages(phone)
    assert message["status"] == "case"
    assert len(phone.cli_json("cases", "list")) == 1
    assert [m["To"] for m in fake.sent] == ["+573001234567"]


def test_temporary_twilio_errors_are_retried_and_a_bad_number_is_marked_failed(phone, fake):
    fake.fail_next(503, times=1)
    assert post(phone, "messages", sms("+573001234567", "Solicito información")).status_code == 200
    wait_until(lambda: len(fake.create_attempts) >= 1, 60, "the first attempt")
    phone.cli("drain", "--timeout", "120")
    assert len(fake.sent) == 1

    fake.fail_next(400, 21211)
    assert post(phone, "messages", sms("+573002223344", "Necesito ayuda")).status_code == 200
    phone.cli("drain", "--timeout", "120")
    statuses = sorted(case["ack_status"] for case in phone.cli_json("cases", "list"))
    assert statuses == ["failed", "sent"]
