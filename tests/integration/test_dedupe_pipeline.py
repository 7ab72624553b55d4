"""Duplicates, identities across channels and mass petitions through the real pipeline,
on SQLite and PostgreSQL: messages stored as the adapters store them, then `advance_batch`
as the workers run it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest
from sqlalchemy import select

from ventanilla.adapters.base import Acknowledgement
from ventanilla.message import InboundMessage

pytestmark = pytest.mark.integration

REQUEST = (
    "Buenos días. Solicito copia de mi certificado de inscripción en el Servicio Público de "
    "Empleo, porque lo necesito para presentarlo en una empresa la próxima semana."
)
PETITION = (
    "Señores Servicio Público de Empleo: solicitamos que se abra una oficina de atención en "
    "el municipio de Puerto Asís, porque hoy debemos viajar seis horas para hacer cualquier "
    "trámite de la ruta de empleabilidad, y pedimos que nos informen la fecha de apertura."
)
_ids = count(1)


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[Acknowledgement] = []
        self.lock = threading.Lock()

    def send(self, ack: Acknowledgement) -> str:
        with self.lock:
            self.sent.append(ack)
            return f"ref-{len(self.sent)}"


@pytest.fixture
def app(app_with) -> Any:
    app = app_with()
    for channel in ("email", "sms", "whatsapp", "telegram", "x"):
        app.senders[channel] = RecordingSender()
    return app


def store(channel: str, text: str, sender: str = "", **fields: Any) -> int:
    """Store one message as its adapter would; returns its id."""
    from ventanilla.workers.intake import accept_batch

    n = next(_ids)
    flags = {"message_id": f"<m{n}@example.com>"} if channel == "email" else {}
    message = InboundMessage(
        channel=channel,
        provider_id=f"p{n}",
        received_at=datetime.now(UTC),
        text=text,
        sender=sender,
        flags=flags | fields.pop("flags", {}),
        **fields,
    )
    [accepted] = accept_batch([message], start_now=False)
    return accepted.message_id


def email(address: str, text: str) -> int:
    return store("email", text, address)


def whatsapp(phone: str, text: str) -> int:
    return store("whatsapp", text, phone, reply_phone=phone)


def web(text: str, email: str = "", phone: str = "") -> int:
    return store("web", text, email or phone, reply_email=email, reply_phone=phone)


def run(*message_ids: int) -> None:
    from ventanilla.workers.pipeline import advance_batch

    advance_batch(list(message_ids))


def outcome(app: Any, message_id: int) -> tuple[str, str | None]:
    from ventanilla.store.cases import request_state

    with app.db.read() as session:
        state = request_state(session, message_id)
    return state["status"], state["case"]["radicado"] if state["case"] else None


def cases(app: Any) -> list[dict[str, Any]]:
    from ventanilla.store.cases import list_cases

    with app.db.read() as session:
        return list_cases(session)


def sent(app: Any, channel: str) -> list[Acknowledgement]:
    return app.senders[channel].sent


def test_email_then_whatsapp_linked_by_cedula_is_one_case_and_a_notice(app):
    first = email("ana@example.com", REQUEST + "\nAtentamente,\nAna Ruiz\nC.C. 52.345.678")
    run(first)
    repeat = whatsapp(
        "+573001234567", REQUEST.replace("Buenos días.", "Hola.") + " Mi cédula es 52345678."
    )
    run(repeat)

    [case] = cases(app)
    assert outcome(app, first) == ("case", case["radicado"])
    assert outcome(app, repeat) == ("duplicate", case["radicado"])
    [notice] = sent(app, "whatsapp")
    assert (notice.kind, notice.recipient, notice.radicado) == (
        "duplicate",
        "+573001234567",
        case["radicado"],
    )
    assert case["radicado"] in notice.text and "no le damos un número nuevo" in notice.text


def test_the_form_links_an_email_and_a_phone_so_a_later_whatsapp_is_the_same_person(app):
    form = web(REQUEST, email="luis@example.com", phone="310 555 1234")
    run(form)
    by_mail = email("Luis@Example.com", "Buenas tardes. " + REQUEST)
    by_phone = whatsapp("+573105551234", REQUEST + " Gracias.")
    run(by_mail, by_phone)

    [case] = cases(app)
    assert outcome(app, by_mail) == ("duplicate", case["radicado"])
    assert outcome(app, by_phone) == ("duplicate", case["radicado"])
    assert [a.kind for a in sent(app, "email")] == ["ack", "duplicate"]
    assert [a.kind for a in sent(app, "whatsapp")] == ["duplicate"]


def test_near_identical_wording_is_a_duplicate_with_the_reason(app):
    first = email("ana@example.com", REQUEST)
    run(first)
    again = email(
        "ana@example.com", REQUEST.replace("una empresa", "la empresa") + "\n\nMuchas gracias,\nAna"
    )
    run(again)

    [case] = cases(app)
    assert outcome(app, again) == ("duplicate", case["radicado"])
    from ventanilla.store.cases import list_messages

    with app.db.read() as session:
        reason = list_messages(session)[-1]["reason"]
    assert reason.startswith(f"same request as radicado {case['radicado']} (near-identical text")


def test_a_different_request_of_the_same_person_is_a_new_case(app):
    run(email("ana@example.com", REQUEST))
    other = email(
        "ana@example.com",
        "Quiero saber cuándo abren convocatorias para vacantes de conductor en Cali.",
    )
    run(other)

    assert len(cases(app)) == 2
    assert outcome(app, other)[0] == "case"


def test_the_same_text_from_two_citizens_is_two_cases(app):
    run(email("ana@example.com", REQUEST), email("luis@example.com", REQUEST))
    run(whatsapp("+573001112233", REQUEST))

    assert len(cases(app)) == 3
    assert not any(a.kind == "duplicate" for ch in ("email", "whatsapp") for a in sent(app, ch))


def test_anonymous_requests_are_never_duplicates(app):
    run(web(REQUEST), web(REQUEST))

    assert len(cases(app)) == 2


def test_two_copies_in_one_batch_give_one_case_and_a_notice(app):
    first, second = email("ana@example.com", REQUEST), email("ana@example.com", REQUEST)
    run(first, second)

    [case] = cases(app)
    assert outcome(app, second) == ("duplicate", case["radicado"])
    assert [a.kind for a in sent(app, "email")] == ["ack", "duplicate"]


def test_a_repeat_outside_the_window_is_a_new_case(app_with):
    app = app_with(dedupe__window_days="1")
    app.senders["email"] = RecordingSender()
    first = email("ana@example.com", REQUEST)
    run(first)
    from sqlalchemy import update

    from ventanilla.store.schema import Case

    with app.db.transaction() as session:
        session.execute(update(Case).values(filed_at=datetime(2026, 1, 1, tzinfo=UTC)))
    run(email("ana@example.com", REQUEST))

    assert len(cases(app)) == 2


def test_duplicate_notices_respect_the_hourly_limit(app_with):
    app = app_with(worker__acks_per_sender_per_hour="2")
    app.senders["email"] = RecordingSender()
    for _ in range(4):
        run(email("ana@example.com", REQUEST))

    assert len(cases(app)) == 1
    assert [a.kind for a in sent(app, "email")] == ["ack", "duplicate"]


def test_typed_data_never_merges_two_persons_and_staff_see_the_possible_link(app):
    """Issue 15: an e-mail of one citizen and a phone of another, typed in the form, merged
    the two into one person. Now the form's message keeps a person of its own."""
    from ventanilla.store.schema import AuditEntry, Message, Person

    ana = email("ana@example.com", REQUEST)
    run(ana)
    luis = whatsapp("+573001234567", "Quiero una cita para orientación laboral en Bogotá.")
    run(luis)
    form = web("Necesito actualizar mi hoja de vida.", email="ana@example.com", phone="3001234567")
    run(form)

    with app.db.read() as session:
        person_of = dict(session.execute(select(Message.id, Message.person_id)).all())
        persons = session.execute(select(Person.id, Person.merged_into_id)).all()
        links = session.execute(
            select(AuditEntry.entity_id, AuditEntry.detail).where(
                AuditEntry.action == "posible misma persona"
            )
        ).all()
    assert len({person_of[ana], person_of[luis], person_of[form]}) == 3
    assert [merged for _, merged in persons] == [None, None, None]
    everyone = sorted(person_of.values())
    assert links == [(everyone[0], {"persons": everyone})]


def test_a_typed_address_does_not_lend_its_person_to_another_channel(app):
    """Someone types Ana's address and their own phone in the form: the form's message may
    join Ana's person, but the phone does not become Ana's, so an SMS from it with Ana's
    text is a new case, not a duplicate whose notice would tell Ana's radicado."""
    run(email("ana@example.com", REQUEST))
    run(web("Necesito actualizar mi hoja de vida.", email="ana@example.com", phone="3001234567"))
    copy = store("sms", REQUEST, "+573001234567", reply_phone="+573001234567")
    run(copy)

    assert outcome(app, copy)[0] == "case"
    assert not [a for a in sent(app, "sms") if a.kind == "duplicate"]


def test_twelve_citizens_with_one_petition_get_twelve_radicados_in_one_group(app):
    from ventanilla.store.cases import list_groups, show_case

    ids = []
    for n in range(12):
        # One at a time: the group starts with the eleventh and takes in the ten before.
        ids.append(email(f"vecino{n}@example.com", f"{PETITION}\nAtentamente, Vecino {n}"))
        run(ids[-1])

    radicados = [outcome(app, message_id) for message_id in ids]
    assert {status for status, _ in radicados} == {"case"}
    assert len({radicado for _, radicado in radicados}) == 12
    with app.db.read() as session:
        [group] = list_groups(session)
        shown = [show_case(session, radicado) for _, radicado in radicados]
    assert {(case["group_id"], case["group_size"]) for case in shown} == {(group["group_id"], 12)}
    assert group["size"] == 12 and group["first_radicado"] == radicados[0][1]


def test_ten_citizens_are_not_a_mass_petition(app):
    run(*[email(f"vecino{n}@example.com", PETITION) for n in range(10)])

    assert {case["group_id"] for case in cases(app)} == {None}


def test_a_mass_petition_in_one_batch_is_grouped_and_later_ones_join(app):
    run(*[email(f"vecino{n}@example.com", PETITION) for n in range(11)])
    run(whatsapp("+573009998877", PETITION + " Gracias."))
    run(email("otra@example.com", "Quiero saber cuándo abren convocatorias en Cali."))

    groups = [case["group_id"] for case in cases(app)]
    assert groups[:12] == [groups[0]] * 12 and groups[0] is not None
    assert groups[12] is None
    # The group is named after its first case's real radicado: the cases of a batch are
    # inserted before they are numbered, so the name is set again once they are.
    from ventanilla.store.cases import list_groups

    with app.db.read() as session:
        [group] = list_groups(session)
    assert group["label"] == group["first_radicado"] == cases(app)[0]["radicado"]


def test_a_petition_whose_grouping_was_lost_is_grouped_by_the_reconciler(app, monkeypatch):
    """Grouping runs in its own transaction after the cases are committed: a worker that
    dies in between leaves the cases pending, and the reconciler groups them."""
    from datetime import timedelta

    from ventanilla.workers import dedupe
    from ventanilla.workers.reconciler import reconcile

    def died(*args: Any, **kwargs: Any) -> int:
        raise ConnectionError("the worker died after the commit")

    with monkeypatch.context() as patched:
        patched.setattr(dedupe, "group_petitions", died)
        run(*[email(f"vecino{n}@example.com", PETITION) for n in range(11)])
    assert {case["group_id"] for case in cases(app)} == {None}  # filed, not yet grouped
    assert len(cases(app)) == 11

    assert reconcile(older_than=timedelta(0)) == 11  # the eleven compared
    groups = {case["group_id"] for case in cases(app)}
    assert len(groups) == 1 and None not in groups
    assert reconcile(older_than=timedelta(0)) == 0  # nothing left pending


def test_near_duplicates_radicated_at_once_in_two_workers_give_one_case(app):
    from ventanilla.workers.pipeline import advance_batch

    for round_ in range(5):
        address = f"prisa{round_}@example.com"
        texts = [REQUEST, "Por favor. " + REQUEST]
        ids = [email(address, text) for text in texts]
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def worker(
            message_id: int,
            start: threading.Barrier = start,
            errors: list[BaseException] = errors,
        ) -> None:
            start.wait()
            try:
                advance_batch([message_id])
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(message_id,)) for message_id in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        statuses = sorted(outcome(app, message_id)[0] for message_id in ids)
        assert statuses == ["case", "duplicate"]
        assert len({outcome(app, message_id)[1] for message_id in ids}) == 1
    assert len(cases(app)) == 5
