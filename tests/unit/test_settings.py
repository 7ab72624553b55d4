"""Settings: defaults, the file, the environment on top, and one named line per problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ventanilla.errors import ConfigurationError
from ventanilla.routing.offices import DEFAULT_COMPETENCE, DEFAULT_OFFICE, DEFAULT_RULES
from ventanilla.settings import load_settings, secrets_in_file


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No VENTANILLA_* variable from outside, and no settings.toml in the working folder."""
    for name in list(os.environ):
        if name.upper().startswith("VENTANILLA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Path:
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("VENTANILLA_SETTINGS", str(path))
    return path


def problems_of(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> list[str]:
    write_settings(monkeypatch, tmp_path, text)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    return caught.value.problems


def test_defaults_load_when_there_is_no_settings_file() -> None:
    settings = load_settings()

    assert settings.store.url == "sqlite:///var/ventanilla.db"
    assert settings.web.port == 8000
    assert settings.email.smtp_security == "starttls"
    assert settings.office.timezone == "America/Bogota"


def test_default_settings_toml_in_working_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("[web]\nport = 8123\n", encoding="utf-8")

    assert load_settings().web.port == 8123


def test_named_settings_file_that_does_not_exist_is_a_problem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VENTANILLA_SETTINGS", str(tmp_path / "missing.toml"))

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    [line] = caught.value.problems
    assert line.startswith("VENTANILLA_SETTINGS:")
    assert "missing.toml" in line


def test_named_settings_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_settings(monkeypatch, tmp_path, '[entity]\nshort_name = "MinX"\n')

    assert load_settings().entity.short_name == "MinX"


def test_typo_in_a_key_suggests_the_right_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problems = problems_of(monkeypatch, tmp_path, '[email]\nimap_hots = "x"\n')

    assert problems == ["email.imap_hots: unknown key; did you mean email.imap_host?"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[emial]\nimap_host = "x"\n', "emial: unknown key; did you mean email?"),
        ("[bogus]\nx = 1\n", "bogus: unknown key"),
    ],
)
def test_unknown_section_is_a_problem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, expected: str
) -> None:
    assert problems_of(monkeypatch, tmp_path, text) == [expected]


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('[web]\nport = "abc"\n', "web.port", "valid integer"),
        ("[web]\nport = 70000\n", "web.port", "65535"),
        ("[web]\nport = 0\n", "web.port", "greater than or equal to 1"),
        ('[store]\nurl = "mysql://db/x"\n', "store.url", "sqlite:// or postgresql"),
        ('[queue]\nredis_url = "http://cache"\n', "queue.redis_url", "redis://"),
        ('[office]\nhours = "lunes 8-5"\n', "office.hours", "mon-fri 08:00-16:00"),
        ('[office]\nhours = "mon-fri 08:00-25:00"\n', "office.hours", "HH:MM"),
        ('[office]\ntimezone = "Mars/Olympus"\n', "office.timezone", "America/Bogota"),
        ('[office]\nfiling_office = "ABC"\n', "office.filing_office", "ABC"),
        ('[radicado]\nformat = "{year}{office}"\n', "radicado.format", "must contain {number}"),
        ('[radicado]\nformat = "{year}{foo}{number}"\n', "radicado.format", "fields available"),
        ('[email]\nsmtp_security = "ssl"\n', "email.smtp_security", "'plain'"),
        ('[log]\nlevel = "verbose"\n', "log.level", "'debug'"),
        ('[x]\naccount_id = "@ServiciodEmpleo"\n', "x.account_id", "[0-9]"),
        ('[x]\napi_url = "api.x.com"\n', "x.api_url", "https://api.x.com"),
        ("[x]\npoll_every_seconds = 0\n", "x.poll_every_seconds", "greater than 0"),
        ("[x]\nfetch_batch = 0\n", "x.fetch_batch", "greater than or equal to 1"),
        ("store = 5\n", "store", "valid dictionary"),
    ],
)
def test_wrong_value_names_its_key_and_what_was_expected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, key: str, words: str
) -> None:
    [line] = problems_of(monkeypatch, tmp_path, text)

    assert line.startswith(f"{key}: ")
    assert words in line


def test_environment_overrides_the_file_key_by_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_settings(
        monkeypatch, tmp_path, '[store]\nurl = "sqlite:///file.db"\nauto_migrate = false\n'
    )
    monkeypatch.setenv("VENTANILLA_STORE__URL", "sqlite:///env.db")

    settings = load_settings()

    assert settings.store.url == "sqlite:///env.db"
    assert settings.store.auto_migrate is False  # the file's other keys in the section stay


def test_environment_value_is_validated_like_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENTANILLA_WEB__PORT", "70000")

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    [line] = caught.value.problems
    assert line.startswith("web.port: ")


def test_typo_in_an_environment_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENTANILLA_WEB__PROT", "1")

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    assert caught.value.problems == ["web.prot: unknown key; did you mean web.port?"]


def test_environment_variable_for_a_whole_section_is_a_problem_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Regression: pydantic-settings raised SettingsError, a traceback instead of a problem line.
    monkeypatch.setenv("VENTANILLA_STORE", "sqlite:///x.db")

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    [line] = caught.value.problems
    assert line.startswith("VENTANILLA_STORE: ")
    assert "VENTANILLA_STORE__<KEY>" in line


def test_several_problems_are_reported_together(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problems = problems_of(
        monkeypatch,
        tmp_path,
        '[store]\nurl = "mysql://x"\n[web]\nport = "abc"\n[email]\nimap_hots = "x"\n',
    )

    keys = sorted(line.split(":", 1)[0] for line in problems)
    assert keys == ["email.imap_hots", "store.url", "web.port"]


def test_file_and_environment_problems_are_reported_together(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_settings(monkeypatch, tmp_path, '[store]\nurl = "mysql://x"\n')
    monkeypatch.setenv("VENTANILLA_WEB__PROT", "1")

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    keys = sorted(line.split(":", 1)[0] for line in caught.value.problems)
    assert keys == ["store.url", "web.prot"]


def test_invalid_toml_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_settings(monkeypatch, tmp_path, "[web\nport = 1\n")

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    [line] = caught.value.problems
    assert line.startswith(f"{path}: not valid TOML")


def test_configuration_error_message_is_one_line_per_problem() -> None:
    error = ConfigurationError(["a: one", "b: two"])

    assert str(error) == "a: one\nb: two"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, []),
        ({"email": {"smtp_password": ""}}, []),
        ({"email": {"smtp_host": "mail.example.gov.co"}}, []),
        ({"email": {"smtp_password": "hunter2"}}, ["email.smtp_password"]),
        ({"telegram": {"token": "123:abc"}}, ["telegram.token"]),
        ({"twilio": {"auth_token": "t", "account_sid": "AC1"}}, ["twilio.auth_token"]),
        (
            {"x": {"consumer_key": "k", "consumer_secret": "s", "account": "@ent"}},
            ["x.consumer_key", "x.consumer_secret"],
        ),
        ({"log": "not a section"}, []),
    ],
)
def test_secrets_in_file_lists_each_filled_secret_with_its_variable(
    data: dict[str, object], expected: list[str]
) -> None:
    lines = [
        f"{key}: secrets belong in the environment (VENTANILLA_{key.upper().replace('.', '__')})"
        for key in expected
    ]

    assert secrets_in_file(data) == lines


def test_secret_warning_names_the_exact_variable_to_use() -> None:
    assert secrets_in_file({"email": {"smtp_password": "x"}}) == [
        "email.smtp_password: secrets belong in the environment (VENTANILLA_EMAIL__SMTP_PASSWORD)"
    ]


def test_the_shipped_settings_file_holds_no_secret_and_warns_of_none() -> None:
    import tomllib

    from ventanilla.settings import secrets_in_file as found

    shipped = tomllib.loads((Path(__file__).parents[2] / "settings.toml").read_text())
    assert found(shipped) == []  # staff.min_password_length is a number, not a password
    assert found({"staff": {"min_password_length": 12}}) == []
    assert found({"youtube": {"api_key": "k"}}) != []


def test_office_hours_problem_shows_the_value_once(tmp_path: Path, monkeypatch) -> None:
    settings_file = tmp_path / "s.toml"
    settings_file.write_text('[office]\nhours = "todo el dia"\n')
    monkeypatch.setenv("VENTANILLA_SETTINGS", str(settings_file))
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    [line] = caught.value.problems
    assert line.startswith("office.hours: ")
    assert line.count("'todo el dia'") == 1


def test_typo_in_a_section_name_in_the_environment_is_reported(monkeypatch) -> None:
    monkeypatch.setenv("VENTANILLA_STOER__URL", "sqlite:///x.db")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert caught.value.problems == [
        "VENTANILLA_STOER__URL: no settings section 'stoer'; did you mean VENTANILLA_STORE__...?"
    ]


# ---------------------------------------------------------------- priority, offices, faq


def test_defaults_are_the_spes_structure_no_shortened_terms_and_the_built_in_faq() -> None:
    settings = load_settings()

    assert settings.offices.default == DEFAULT_OFFICE
    assert [rule.rule() for rule in settings.offices.rules] == list(DEFAULT_RULES)
    assert [rule.rule() for rule in settings.offices.competence] == list(DEFAULT_COMPETENCE)
    assert settings.priority.term_days == {}
    assert (settings.faq.enabled, settings.faq.directory, settings.faq.min_score) == (True, "", 0.8)


def test_rules_in_the_file_replace_the_defaults(monkeypatch, tmp_path) -> None:
    write_settings(
        monkeypatch,
        tmp_path,
        '[offices]\ndefault = "Ventanilla"\n'
        '[[offices.rules]]\noffice = "Jurídica"\ntypes = ["consulta"]\n'
        "[[offices.competence]]\nentity = \"ICBF\"\npatterns = ['\\bicbf\\b']\n"
        "[priority]\nterm_days = { riesgo_derecho_fundamental = 3, nna = 10 }\n",
    )
    settings = load_settings()

    assert settings.offices.default == "Ventanilla"
    assert [(r.office, r.patterns, r.types) for r in settings.offices.rules] == [
        ("Jurídica", [], ["consulta"])
    ]
    assert [(c.entity, c.patterns) for c in settings.offices.competence] == [
        ("ICBF", [r"\bicbf\b"])
    ]
    assert settings.priority.term_days == {"riesgo_derecho_fundamental": 3, "nna": 10}


RULES = """
[[offices.rules]]
office = "A"
patterns = ["uno"]

[[offices.rules]]
office = "B"
types = ["peticion"]
"""


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        (
            RULES + '[[offices.rules]]\noffice = "C"\npatterns = ["ok", "(sin cerrar"]\n',
            "offices.rules[2].patterns[1]: not a regular expression (missing ), unterminated "
            "subpattern at position 0) (got '(sin cerrar')",
        ),
        (
            RULES + '[[offices.rules]]\noffice = "C"\npatterns = ["Contraseña"]\n',
            "offices.rules[2].patterns[0]: patterns run on folded text (lower case, no "
            "accents, n for ñ): write 'contrasena', not 'Contraseña'",
        ),
        (
            RULES + '[[offices.rules]]\noffice = "C"\ntypes = ["tutela"]\n',
            "offices.rules[2].types[0]: 'tutela' is not a request type; expected one of "
            "peticion, informacion, consulta, queja, reclamo, sugerencia, denuncia, felicitacion",
        ),
        (
            RULES + '[[offices.rules]]\noffice = "C"\n',
            "offices.rules[2].patterns: give patterns, types or both (a rule needs something "
            "to match)",
        ),
        (
            RULES + '[[offices.rules]]\nofice = "C"\ntypes = ["queja"]\n',
            "offices.rules[2].ofice: unknown key; did you mean offices.rules[2].office?",
        ),
        (
            '[[offices.competence]]\nentity = "X"\npatterns = []\n',
            "offices.competence[0].patterns: List should have at least 1 item after "
            "validation, not 0 (got [])",
        ),
        ('[offices]\ndefault = ""\n', "offices.default: String should have at least 1 character"),
        (
            "[priority]\nterm_days = { ninos = 5 }\n",
            "priority.term_days: 'ninos' is not a flag; expected one of nna, periodista, "
            "riesgo_derecho_fundamental, discapacidad, anonimo, idioma_extranjero, "
            "denuncia_corrupcion",
        ),
        (
            "[priority]\nterm_days = { nna = -1 }\n",
            "priority.term_days.nna: Input should be greater than or equal to 0 (got -1)",
        ),
        ("[faq]\nmin_score = 0.2\n", "faq.min_score: Input should be greater than or equal to 0.5"),
        ('[faq]\ndirectory = "no-existe"\n', "faq.directory: no such folder: no-existe"),
    ],
    ids=[
        "bad-regex",
        "accents",
        "type",
        "empty-rule",
        "typo",
        "competence-without-patterns",
        "empty-default",
        "unknown-flag",
        "negative-days",
        "min-score",
        "faq-folder",
    ],
)
def test_each_problem_names_its_key(monkeypatch, tmp_path, toml: str, problem: str) -> None:
    problems = problems_of(monkeypatch, tmp_path, toml)

    assert any(line.startswith(problem) for line in problems), problems


def test_rules_from_the_environment_are_checked_the_same_way(monkeypatch) -> None:
    monkeypatch.setenv(
        "VENTANILLA_OFFICES__RULES",
        '[{"office": "A", "patterns": ["ok"]}, {"office": "B", "patterns": ["(x"]}]',
    )

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    [line] = caught.value.problems
    assert line.startswith("offices.rules[1].patterns[0]: not a regular expression")


def test_shortened_terms_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("VENTANILLA_PRIORITY__TERM_DAYS", '{"riesgo_derecho_fundamental": 1}')

    assert load_settings().priority.term_days == {"riesgo_derecho_fundamental": 1}


def test_x_enabled_without_user_credentials_names_the_missing_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VENTANILLA_X__CONSUMER_KEY", "ck")
    monkeypatch.setenv("VENTANILLA_X__CONSUMER_SECRET", "cs")
    [line] = problems_of(monkeypatch, tmp_path, "[x]\nenabled = true\n")

    assert line.startswith("x.access_token: required when x.enabled is true")


def test_x_disabled_needs_no_credentials_and_has_safe_defaults() -> None:
    settings = load_settings()

    assert settings.x.enabled is False
    assert settings.x.api_url == "https://api.x.com"
    assert (settings.x.poll_every_seconds, settings.x.dm_enabled) == (60.0, True)


@pytest.mark.parametrize(
    ("text", "environment", "expected"),
    [
        (
            "[telegram]\nenabled = true\n",
            {},
            "telegram.token: required when telegram.enabled is true",
        ),
        (
            '[telegram]\nenabled = true\nmode = "webhook"\n',
            {"VENTANILLA_TELEGRAM__TOKEN": "123:abc"},
            "telegram.webhook_secret: required when telegram.mode is webhook",
        ),
        (
            '[telegram]\nmode = "push"\n',
            {},
            "telegram.mode: Input should be 'polling' or 'webhook'",
        ),
        ("[telegram]\nmax_file_bytes = 52428800\n", {}, "telegram.max_file_bytes: Input should be"),
        (
            '[telegram]\napi_url = "api.telegram.org"\n',
            {},
            "telegram.api_url: expected the Bot API",
        ),
    ],
)
def test_telegram_settings_name_the_key_to_fix(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    text: str,
    environment: dict[str, str],
    expected: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    [line] = problems_of(monkeypatch, tmp_path, text)

    assert line.startswith(expected)


def test_telegram_in_webhook_mode_loads_with_its_secret_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_settings(monkeypatch, tmp_path, '[telegram]\nenabled = true\nmode = "webhook"\n')
    monkeypatch.setenv("VENTANILLA_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("VENTANILLA_TELEGRAM__WEBHOOK_SECRET", "s3creto_-")

    telegram = load_settings().telegram

    assert (telegram.mode, telegram.webhook_secret, telegram.poll_timeout) == (
        "webhook",
        "s3creto_-",
        25,
    )
    assert secrets_in_file({"telegram": {"webhook_secret": "x"}}) == [
        "telegram.webhook_secret: secrets belong in the environment "
        "(VENTANILLA_TELEGRAM__WEBHOOK_SECRET)"
    ]


def test_staff_defaults_and_digest_recipients(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    write_settings(
        monkeypatch, tmp_path, '[staff]\ndigest_to = "a@example.gov.co, b@example.gov.co"\n'
    )
    staff = load_settings().staff

    assert (staff.session_hours, staff.idle_minutes) == (8, 30)
    assert (staff.max_failed_logins, staff.lockout_minutes) == (5, 15)
    assert staff.digest_recipients == ["a@example.gov.co", "b@example.gov.co"]


def test_a_digest_address_that_is_not_one_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path):
    [line] = problems_of(monkeypatch, tmp_path, '[staff]\ndigest_to = "equipo, b@example.gov.co"\n')

    assert line.startswith("staff.digest_to: 'equipo' is not an e-mail address")
