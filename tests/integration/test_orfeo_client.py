"""The Orfeo client against the Orfeo double over HTTP: Orfeo's own WSDL and wire format
(PHP nusoap 0.9.5, rpc/encoded), its radicados in the double's SQLite, faults injected."""

from __future__ import annotations

import io
import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from tests.conftest import ORFEO_RECEIVER, free_port, new_deployment
from tests.orfeo.double import OrfeoDouble
from ventanilla.docsys.orfeo import (
    Created,
    Destinatario,
    OrfeoClient,
    OrfeoError,
    OrfeoFiling,
    OrfeoMapping,
    Refused,
    SentUnconfirmed,
    Unavailable,
    Uncertain,
    envelope,
)
from ventanilla.docsys.request_pdf import RequestDocument, render

pytestmark = pytest.mark.integration

RECEIVED = datetime(2026, 11, 23, 15, 4, tzinfo=UTC)  # 10:04 in Bogotá
_references = itertools.count(1)


def reference() -> str:
    return f"VT-{datetime.now(UTC):%H%M%S}-{next(_references)}"


def client(orfeo: OrfeoDouble, **kwargs: object) -> OrfeoClient:
    mapping = OrfeoMapping(
        med={"default": "4", "web": "3"},
        tdoc={"default": "0", "queja": "13"},
    )
    options: dict[str, object] = {
        "login": ORFEO_RECEIVER.login,
        "email": ORFEO_RECEIVER.email,
        "mapping": mapping,
    }
    options.update(kwargs)
    return OrfeoClient(orfeo.wsdl_url, **options)  # type: ignore[arg-type]


def request_pdf(ref: str) -> bytes:
    return render(
        RequestDocument(
            entity="Unidad del Servicio Público de Empleo",
            reference=ref,
            channel="web",
            received_at=RECEIVED,
            zone="America/Bogota",
            sender="Ana María Peña Gómez <ana.pena@example.org>",
            subject="Queja por la atención en la agencia de empleo",
            text="Señores, el 20 de noviembre esperé tres horas y no me atendieron. 😠",
            attachments=[("turno.jpg", 48_000), ("cédula.pdf", 210_000)],
        )
    )


def filing(ref: str, **changes: object) -> OrfeoFiling:
    values: dict[str, object] = {
        "reference": ref,
        "subject": "Queja por la atención en la agencia de empleo",
        "citizen": Destinatario.citizen(
            name="Ana María Peña Gómez",
            cedula="52345678",
            email="ana.pena@example.org",
            phone="+573001234567",
            address="Calle 26 # 13-19, Bogotá",
        ),
        "channel": "web",
        "request_type": "queja",
        "pdf": request_pdf(ref),
        "annexes": "2 anexos: turno.jpg, cédula.pdf",
    }
    values.update(changes)
    return OrfeoFiling(**values)  # type: ignore[arg-type]


def filed_under(orfeo: OrfeoDouble, ref: str) -> list[str]:
    return [r["radi_nume_radi"] for r in orfeo.radicados() if r["radi_cuentai"] == ref]


def test_a_radicado_carries_the_citizen_by_position_and_the_request_pdf(orfeo):
    ref = reference()
    outcome = client(orfeo).radicar(filing(ref))

    assert isinstance(outcome, Created)
    year = str(datetime.now().year)
    # year + the receiving user's dependency + 6-digit sequence + type digit (2 entrada)
    assert outcome.number.startswith(f"{year}100") and outcome.number.endswith("2")
    assert len(outcome.number) == 4 + 3 + 6 + 1
    radicado = orfeo.radicado(outcome.number)
    assert radicado["radi_cuentai"] == ref
    assert radicado["radi_depe_radi"] == "100"
    assert radicado["radi_usua_actu"] == "radicador"
    assert radicado["ra_asun"] == "Queja por la atención en la agencia de empleo"
    assert radicado["radi_desc_anex"] == "2 anexos: turno.jpg, cédula.pdf"
    assert (radicado["mrec_codi"], radicado["tdoc_codi"]) == ("3", "13")  # web, queja
    assert radicado["correo"] == "radicador@entidad.gov.co"  # the user's, as documented
    # The Vector as Orfeo received it, position by position.
    assert radicado["vectores"]["destinatarioOrg"] == [
        "52345678",
        "52345678",
        "0",
        "Ana María",
        "Peña",
        "Gómez",
        "+573001234567",
        "Calle 26 # 13-19, Bogotá",
        "ana.pena@example.org",
        "",
        "1",
        "170",
        "170-11",
        "170-11-1",
    ]
    assert radicado["vectores"]["predioOrg"] == [""] * 14
    # ...and the destinatario Orfeo built from those positions.
    destinatario = radicado["destinatario"]
    assert destinatario["sgd_dir_nomremdes"] == "Ana María Peña Gómez"
    assert destinatario["sgd_dir_doc"] == "52345678"
    assert destinatario["sgd_dir_mail"] == "ana.pena@example.org"
    assert destinatario["sgd_dir_telefono"] == "+573001234567"
    assert destinatario["sgd_dir_direccion"] == "Calle 26 # 13-19, Bogotá"
    assert destinatario["sgd_trd_codigo"] == "1"  # ciudadano
    # The main image is our PDF, byte for byte, and says what the request is.
    name, image = radicado["imagen"]
    assert name == "solicitud.pdf"
    assert radicado["radi_path"].endswith(f"/{outcome.number}.pdf")
    assert image.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(image)).pages)
    for expected in (
        ref,
        "Formulario web",
        "23 de noviembre de 2026, 10:04 (hora de Colombia)",
        "Ana María Peña Gómez",
        "esperé tres horas",
        "Anexos (2)",
        "turno.jpg (47 KB)",
        "cédula.pdf (205 KB)",
    ):
        assert expected in text, expected


def test_the_pdf_sent_is_the_pdf_orfeo_keeps(orfeo):
    ref = reference()
    sent = filing(ref)
    outcome = client(orfeo).radicar(sent)

    assert isinstance(outcome, Created)
    assert orfeo.radicado(outcome.number)["imagen"][1] == sent.pdf


def test_the_file_typed_base64Binary_would_arrive_corrupted(orfeo):
    """Why the client types the file as the WSDL says (`xsd:base64binary`): nusoap decodes
    a `base64Binary` part itself, then Orfeo's function decodes it again."""
    ref = reference()
    sent = filing(ref)
    wire = envelope(
        "radicarDocumento",
        [
            sent.pdf,
            "solicitud.pdf",
            "",
            sent.citizen.vector(),
            [""] * 14,
            [""] * 14,
            "asunto",
            "4",
            "",
            "radicador",
            "2",
            ref,
            "radicador",
            "0",
            "0",
            "0",
            "0",
            "0",
        ],
    ).replace(b'"xsd:base64binary"', b'"xsd:base64Binary"')
    response = httpx.post(orfeo.endpoint, content=wire, headers={"Content-Type": "text/xml"})

    assert response.status_code == 200
    (number,) = filed_under(orfeo, ref)
    assert orfeo.radicado(number)["imagen"][1] != sent.pdf


def test_a_dependency_code_instead_of_a_user_is_refused_and_creates_nothing(orfeo):
    ref = reference()
    outcome = client(orfeo, login="1000").radicar(filing(ref))

    assert isinstance(outcome, Refused)
    assert outcome.text.startswith("El usuario 1000 no existe SELECT")  # Orfeo adds its SQL
    assert filed_under(orfeo, ref) == []


@pytest.mark.parametrize(
    ("mode", "expected", "created"),
    [
        ("fatal_before", Uncertain, False),  # HTTP 500, no body: the client cannot tell
        ("refuse_before", Refused, False),
        ("lost_after", Uncertain, True),
        ("cut_after", Uncertain, True),  # the connection drops in the middle of the answer
        ("error_after", Uncertain, True),
    ],
)
def test_each_fault_gives_its_outcome_class(orfeo, mode, expected, created):
    ref = reference()
    orfeo.fail("radicarDocumento", mode)

    outcome = client(orfeo).radicar(filing(ref))

    assert isinstance(outcome, expected), outcome
    assert len(filed_under(orfeo, ref)) == (1 if created else 0)
    assert orfeo.calls("radicarDocumento")[-1] == mode


def test_php_notices_printed_before_the_answer_do_not_hide_the_number(orfeo):
    ref = reference()
    orfeo.fail("radicarDocumento", "notice_after")

    outcome = client(orfeo).radicar(filing(ref))

    assert outcome == Created(filed_under(orfeo, ref)[0])


def test_an_answer_later_than_the_timeout_is_uncertain_and_the_radicado_exists(orfeo):
    ref = reference()
    orfeo.slow_answers(3)
    orfeo.fail("radicarDocumento", "slow_after")

    outcome = client(orfeo, timeout=1.0).radicar(filing(ref))

    assert isinstance(outcome, Uncertain)
    assert "no answer from Orfeo in time" in outcome.reason
    assert len(filed_under(orfeo, ref)) == 1


def test_a_slow_answer_holds_no_other_filing_back(orfeo):
    orfeo.slow_answers(3)
    orfeo.fail("radicarDocumento", "slow_after")
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(client(orfeo, timeout=10).radicar, filing(reference()))
        time.sleep(0.3)  # the slow one is asleep in its answer
        started = time.monotonic()
        quick = client(orfeo).radicar(filing(reference()))
        elapsed = time.monotonic() - started
        assert isinstance(slow.result(), Created)
    assert isinstance(quick, Created)
    assert elapsed < 1.5, f"the second filing waited {elapsed:.1f} s for the slow one"


def test_concurrent_filings_get_consecutive_numbers(orfeo):
    refs = [reference() for _ in range(12)]
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda ref: client(orfeo).radicar(filing(ref)), refs))

    numbers = sorted(o.number for o in outcomes if isinstance(o, Created))
    assert len(numbers) == 12
    sequence = [int(n[7:13]) for n in numbers]
    assert sequence == list(range(sequence[0], sequence[0] + 12))
    assert all(filed_under(orfeo, ref) for ref in refs)


def test_an_outage_is_unavailable_and_creates_nothing(orfeo):
    ref = reference()
    orfeo.down_for(30)

    outcome = client(orfeo).radicar(filing(ref))

    assert outcome == Unavailable("Orfeo answered HTTP 503 (unavailable)")
    orfeo.up()
    assert filed_under(orfeo, ref) == []
    assert client(orfeo).radicar(filing(ref)).__class__ is Created  # back: filed once


def test_a_closed_port_is_unavailable(tmp_path):
    closed = OrfeoClient(
        f"http://127.0.0.1:{free_port()}/webServices/servidor.php?wsdl", login="radicador"
    )

    outcome = closed.radicar(filing(reference()))

    assert isinstance(outcome, Unavailable)
    assert "cannot connect to Orfeo" in outcome.reason


@pytest.mark.parametrize("mode", ["lost_after", "cut_after", "error_after"])
def test_the_lookup_finds_the_radicado_after_a_lost_answer(orfeo, mode):
    ref = reference()
    orfeo.fail("radicarDocumento", mode)
    orfeo_client = client(orfeo)

    assert isinstance(orfeo_client.radicar(filing(ref)), Uncertain)

    found = orfeo_client.consultar_radicado_cuentai(ref)
    assert found == filed_under(orfeo, ref)
    assert len(found) == 1
    assert orfeo_client.consultar_radicado_cuentai(reference()) == []  # none under another


def test_the_lookup_finds_nothing_after_a_failure_before_creating(orfeo):
    ref = reference()
    orfeo.fail("radicarDocumento", "fatal_before")
    orfeo_client = client(orfeo)

    assert isinstance(orfeo_client.radicar(filing(ref)), Uncertain)

    assert orfeo_client.consultar_radicado_cuentai(ref) == []  # safe to file again
    assert isinstance(orfeo_client.radicar(filing(ref)), Created)
    assert len(orfeo_client.consultar_radicado_cuentai(ref)) == 1


def test_the_lookup_during_an_outage_raises_unavailable(orfeo):
    orfeo.down_for(30)

    with pytest.raises(OrfeoError) as caught:
        client(orfeo).consultar_radicado_cuentai("VT-1")

    assert isinstance(caught.value.outcome, Unavailable)


def test_annulment_is_sent_with_outcome_unknown_and_orfeo_recorded_it(orfeo):
    orfeo_client = client(orfeo)
    created = orfeo_client.radicar(filing(reference()))
    assert isinstance(created, Created)

    outcome = orfeo_client.solicitar_anulacion(created.number, "Radicado dos veces por error")

    assert isinstance(outcome, SentUnconfirmed)
    assert "unable to serialize result" in outcome.reason
    radicado = orfeo.radicado(created.number)
    assert [a["sgd_anu_desc"] for a in radicado["anulaciones"]] == ["Radicado dos veces por error"]
    assert radicado["sgd_eanu_codigo"] == 1


def test_annulment_during_an_outage_is_unavailable(orfeo):
    orfeo.down_for(30)

    assert isinstance(client(orfeo).solicitar_anulacion("20261000000012", "x"), Unavailable)


def test_anexos_arrive_with_their_content(orfeo):
    orfeo_client = client(orfeo)
    created = orfeo_client.radicar(filing(reference()))
    assert isinstance(created, Created)
    photo = bytes(range(256)) * 40
    scan = b"%PDF-1.4 cedula escaneada"

    first = orfeo_client.crear_anexo(created.number, "turno.jpg", photo, "Foto del turno")
    second = orfeo_client.crear_anexo(created.number, "cédula.pdf", scan, "Cédula")

    assert first == Created(f"{created.number}00001")
    assert second == Created(f"{created.number}00002")
    anexos = orfeo.radicado(created.number)["anexos"]
    assert [(a["anex_desc"], bytes(a["contenido"])) for a in anexos] == [
        ("Foto del turno", photo),
        ("Cédula", scan),
    ]
    assert {a["anex_creador"] for a in anexos} == {"radicador"}  # found by its e-mail
    assert [a["anex_nomb_archivo"] for a in anexos] == [
        f"{created.number}00001.jpg",
        f"{created.number}00002.pdf",
    ]


def test_an_anexo_for_a_radicado_orfeo_does_not_have_is_refused(orfeo):
    outcome = client(orfeo).crear_anexo("20269990000012", "a.txt", b"x", "nada")

    assert isinstance(outcome, Refused)
    assert outcome.text.startswith("Error en la adicion")


def test_an_anexo_whose_answer_is_lost_is_uncertain(orfeo):
    orfeo_client = client(orfeo)
    created = orfeo_client.radicar(filing(reference()))
    assert isinstance(created, Created)
    orfeo.fail("crearAnexo", "lost_after")

    outcome = orfeo_client.crear_anexo(created.number, "turno.jpg", b"jpeg", "Foto")

    assert isinstance(outcome, Uncertain)
    assert len(orfeo.radicado(created.number)["anexos"]) == 1


def test_get_info_usuario_reads_the_six_strings(orfeo):
    info = client(orfeo).get_info_usuario()

    assert (info.login, info.dependency, info.name) == ("radicador", "100", "Radicador PQRSD")


def test_get_info_usuario_of_an_unknown_user_says_so(orfeo):
    with pytest.raises(OrfeoError) as caught:
        client(orfeo).get_info_usuario("jefe.pqrsd")

    assert isinstance(caught.value.outcome, Refused)
    assert "getInfoUsuario('jefe.pqrsd') failed with HTTP 500" in str(caught.value)


def test_check_service_accepts_the_main_line_with_the_lookup(orfeo):
    assert client(orfeo).check_service(lookup=True) == []


def test_check_service_names_what_is_wrong(orfeo):
    wrong_path = OrfeoClient(orfeo.wsdl_url.replace("servidor", "servidr"), login="radicador")
    assert wrong_path.check_service(lookup=False) == [("orfeo_wsdl", "the WSDL answered HTTP 404")]
    unknown = client(orfeo, login="1000").check_service(lookup=False)
    assert [key for key, _ in unknown] == ["orfeo_login"]


def test_check_connect_says_in_one_line_what_is_wrong_with_orfeo(
    orfeo, redis_server, tmp_path: Path
):
    def check(login: str) -> tuple[int, list[str]]:
        deployment = new_deployment(
            tmp_path / f"deploy-{login}",
            f"sqlite:///{tmp_path / f'{login}.db'}",
            redis_server.url,
            docsys__backend="orfeo",
            docsys__orfeo_wsdl=orfeo.wsdl_url,
            docsys__orfeo_login=login,
        )
        result = deployment.cli("check", "--connect", check=False, timeout=60)
        return result.returncode, [
            line for line in result.stderr.splitlines() if line.startswith("docsys.orfeo")
        ]

    assert check("radicador") == (0, [])
    code, lines = check("1000")
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith("docsys.orfeo_login: Orfeo refused: getInfoUsuario('1000')")
