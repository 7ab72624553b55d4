"""The Orfeo client's wire format and mapping, without a server: the parts in Orfeo's order,
the Vector by position, the answers read as Orfeo writes them, the settings checked."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ventanilla.docsys.orfeo import (
    SIGNATURES,
    SOAP_ENV,
    Destinatario,
    OrfeoFiling,
    client_from_settings,
    envelope,
    parse_answer,
    split_name,
)
from ventanilla.errors import ConfigurationError
from ventanilla.settings import load_settings
from ventanilla.settings_check import settings_warnings

# servidor.php reads destinatarioOrg, predioOrg and espOrg by these positions.
ORFEO_VECTOR = (
    "documento",
    "cc_documento",
    "tipo_emp",
    "nombre",
    "prim_apel",
    "seg_apel",
    "telefono",
    "direccion",
    "mail",
    "otro",
    "idcont",
    "idpais",
    "codep",
    "muni",
)


def test_the_destinatario_fields_are_orfeos_positions() -> None:
    assert Destinatario._fields == ORFEO_VECTOR
    vector = Destinatario(**{name: name for name in ORFEO_VECTOR}).vector()
    assert vector == list(ORFEO_VECTOR)


def test_a_citizen_without_cedula_is_still_a_destinatario() -> None:
    citizen = Destinatario.citizen(name="Luis Pérez", email="luis@example.org")

    assert citizen.documento == "0"  # Orfeo skips a destinatario whose documento is empty
    assert (citizen.nombre, citizen.prim_apel, citizen.seg_apel) == ("Luis", "Pérez", "")


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Ana María Peña Gómez", ("Ana María", "Peña", "Gómez")),
        ("Ana Peña Gómez", ("Ana", "Peña", "Gómez")),
        ("Ana Peña", ("Ana", "Peña", "")),
        ("Ana", ("Ana", "", "")),
        ("", ("", "", "")),
    ],
)
def test_names_split_into_given_names_and_two_surnames(name, parts) -> None:
    assert split_name(name) == parts


def test_radicar_documento_sends_the_18_parts_in_orfeos_order() -> None:
    values: list[object] = [b"%PDF", "solicitud.pdf", "a@b.co"]
    values += [Destinatario(nombre="Ana").vector(), [""] * 14, [""] * 14]
    values += [f"v{i}" for i in range(12)]
    body = ET.fromstring(envelope("radicarDocumento", values))  # type: ignore[arg-type]

    call = body.find(f"{{{SOAP_ENV}}}Body")[0]  # type: ignore[index]
    assert call.tag == "{webServices/nusoap}radicarDocumento"
    assert [part.tag for part in call] == [name for name, _ in SIGNATURES["radicarDocumento"]]
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    assert call[0].get(xsi_type) == "xsd:base64binary"  # as the WSDL says, lower-case b
    assert call[0].text == "JVBERg=="
    assert [item.text or "" for item in call[3]][3] == "Ana"
    assert len(call[4]) == 14
    assert [part.text for part in call[6:]] == [f"v{i}" for i in range(12)]


def test_control_characters_are_dropped_and_markup_escaped() -> None:
    wire = envelope("getInfoUsuario", ["a\x00b<c>&"])

    assert b"ab&lt;c&gt;&amp;" in wire


def test_answers_are_read_as_nusoap_writes_them() -> None:
    head = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><SOAP-ENV:Envelope '
        f'xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><SOAP-ENV:Body>'
    )
    tail = "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    text = head + '<ns1:r xmlns:ns1="webServices/nusoap"><return>El usuario Peña no existe'
    text += "</return></ns1:r>" + tail
    assert parse_answer(text.encode("latin-1")) == "El usuario Peña no existe"
    vector = head + '<ns1:r xmlns:ns1="x"><return SOAP-ENC:arrayType="xsd:string[2]">'
    vector += "<item>a</item><item/></return></ns1:r>" + tail
    assert parse_answer(vector.encode()) == ["a", ""]


def test_php_notices_before_the_answer_are_skipped() -> None:
    answer = (
        b"<br />\n<b>Notice</b>:  Undefined variable: retval in <b>servidor.php</b><br />\n"
        b'<?xml version="1.0" encoding="ISO-8859-1"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="'
        + SOAP_ENV.encode()
        + b'"><SOAP-ENV:Body><ns1:r xmlns:ns1="x"><return>20261000000012</return></ns1:r>'
        b"</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    assert parse_answer(answer) == "20261000000012"


@pytest.mark.parametrize("reference", ["x" * 21, "", "VT-1'", "VT 1", "VT-ñ"])
def test_a_reference_radi_cuentai_cannot_hold_as_is_is_rejected(reference) -> None:
    # varchar(20), and Orfeo writes it into its SQL between quotes
    with pytest.raises(ValueError, match="1 to 20 letters, digits or '-'"):
        OrfeoFiling(reference, "asunto", Destinatario(), "web", "peticion", b"")


def test_the_image_name_has_one_dot_since_orfeo_splits_at_the_first() -> None:
    with pytest.raises(ValueError, match="one dot"):
        OrfeoFiling("VT-1", "asunto", Destinatario(), "web", "peticion", b"", "sol.v2.pdf")


@pytest.fixture
def settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for name in list(os.environ):
        if name.upper().startswith("VENTANILLA_"):
            monkeypatch.delenv(name)

    def write(text: str) -> None:
        path = tmp_path / "s.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("VENTANILLA_SETTINGS", str(path))

    return write


def test_the_orfeo_backend_needs_its_service_and_login(settings_file) -> None:
    settings_file('[docsys]\nbackend = "orfeo"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert caught.value.problems == [
        "docsys.orfeo_wsdl: required when backend is orfeo "
        "(https://.../webServices/servidor.php?wsdl)"
    ]


def test_orfeo_codes_are_keyed_by_known_channels_and_types(settings_file) -> None:
    settings_file(
        '[docsys.orfeo_med]\ndefault = "4"\ncorreo = "4"\n[docsys.orfeo_tdoc]\nqueja = "x"\n'
    )
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    problems = "\n".join(caught.value.problems)
    assert "docsys.orfeo_med: unknown channel 'correo'" in problems
    assert "docsys.orfeo_tdoc: needs a `default` code" in problems


def test_the_default_settings_keep_the_builtin_registry(settings_file) -> None:
    settings_file("")
    docsys = load_settings().docsys
    assert (docsys.backend, docsys.orfeo_lookup, docsys.orfeo_tp_radicado) == (
        "builtin",
        "none",
        "2",
    )


def test_every_orfeo_code_is_a_setting_and_reaches_the_client(settings_file) -> None:
    settings_file(
        '[docsys]\nbackend = "orfeo"\norfeo_wsdl = "https://orfeo.example/s.php?wsdl"\n'
        'orfeo_login = "radicador"\norfeo_tp_radicado = "1"\norfeo_carp_per = "1"\n'
        '[docsys.orfeo_med]\ndefault = "4"\nweb = "3"\n'
    )
    orfeo = client_from_settings(load_settings().docsys)
    try:
        assert orfeo.endpoint == "https://orfeo.example/s.php"
        assert (orfeo.mapping.tp_radicado, orfeo.mapping.carp_per) == ("1", "1")
        assert (orfeo.mapping.med_for("web"), orfeo.mapping.med_for("sms")) == ("3", "4")
    finally:
        orfeo.close()


def test_check_says_what_the_orfeo_backend_does_not_do(settings_file) -> None:
    settings_file(
        '[docsys]\nbackend = "orfeo"\norfeo_wsdl = "https://o.example/s.php?wsdl"\n'
        'orfeo_login = "radicador"\n'
    )
    warnings = settings_warnings(load_settings())
    assert not any("not used by the pipeline" in line for line in warnings)
    assert any(line.startswith("docsys.orfeo_lookup: none: a lost answer") for line in warnings)
    assert any("not sent to Orfeo yet" in line for line in warnings)
    settings_file('[docsys]\nbackend = "http"\n')
    assert any(
        "http is not used by the pipeline yet" in w for w in settings_warnings(load_settings())
    )


def test_filing_references_fit_cuentai_and_differ_between_installations() -> None:
    from ventanilla.docsys.orfeo import REFERENCE
    from ventanilla.store.filings import new_reference

    for case_id in (1, 987_654_321, 2_147_483_647):
        reference = new_reference(case_id)
        assert REFERENCE.match(reference), reference
        assert reference.startswith(f"VT{case_id}-")
    assert new_reference(7) != new_reference(7)  # two stores' case 7 are two references
