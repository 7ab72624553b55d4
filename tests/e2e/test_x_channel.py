"""X as it runs: mentions and DMs taken by `ventanilla poll` through the real tweepy client
from a local fake of X's API v2, radicated by the workers, acknowledged on X: a public reply
with the radicado only under a mention, the full acknowledgement by direct message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Deployment, wait_until
from tests.fake_x import FakeX

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with FakeX() as server:
        yield server
    assert server.errors == []


@pytest.fixture
def x_deployment(deployment_factory, fake, tmp_path) -> Deployment:
    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'v.db'}",
        x__enabled="true",
        x__api_url=fake.api_url,
        x__bearer_token=fake.bearer_token,
        x__consumer_key=fake.consumer_key,
        x__consumer_secret=fake.consumer_secret,
        x__access_token=fake.access_token,
        x__access_token_secret=fake.access_token_secret,
        x__account=fake.account,
        x__poll_every_seconds="0.2",
    )
    deployment.start("worker", "worker")
    return deployment


def poll_and_drain(deployment: Deployment) -> None:
    deployment.cli("poll", "--channel", "x", "--once")
    deployment.cli("drain", "--timeout", "120")


def by_channel(deployment: Deployment) -> list[dict[str, Any]]:
    return deployment.cli_json("messages", "list", "--channel", "x")


def test_a_mention_and_a_dm_become_cases_acknowledged_on_x(x_deployment, fake):
    ana = fake.add_user("ana_co", "Ana Pérez")
    luis = fake.add_user("luis_g", "Luis Gómez")
    mention = fake.add_mention(ana, "Solicito copia de mi certificado de inscripción")
    fake.add_dm(luis, "Quiero poner una queja por la atención en la oficina de Kennedy")
    poll_and_drain(x_deployment)

    cases = x_deployment.cli_json("cases", "list")
    assert [case["channel"] for case in cases] == ["x", "x"]
    assert {case["ack_status"] for case in cases} == {"sent"}
    by_type = {case["type"]: case["radicado"] for case in cases}
    mention_radicado, dm_radicado = by_type["informacion"], by_type["queja"]

    # In public: the radicado under the citizen's post, and nothing else about them.
    [reply] = fake.posted
    assert reply["in_reply_to_tweet_id"] == mention["id"]
    assert reply["text"].startswith(f"Radicado {mention_radicado}")
    for private in ("Ana", "Pérez", "ana_co", "certificado", "inscripción", "Petición", "2026"):
        assert private not in reply["text"].replace(mention_radicado, "")
    # In private: the full acknowledgement, to each citizen.
    dms = {dm["participant_id"]: dm["text"] for dm in fake.dms_sent}
    assert set(dms) == {ana, luis}
    assert dms[ana].startswith(f"Radicado: {mention_radicado}")
    assert "Hola, Ana Pérez." in dms[ana]
    assert "Tipo de solicitud: Petición de documentos o información" in dms[ana]
    assert f"{x_deployment.base_url}/estado/{mention_radicado}" in dms[ana]
    assert dms[luis].startswith(f"Radicado: {dm_radicado}") and "Queja" in dms[luis]

    # Our own DMs are now in the DM listing: the next round stores nothing.
    poll_and_drain(x_deployment)
    assert len(by_channel(x_deployment)) == 2
    assert len(fake.posted) == 1 and len(fake.dms_sent) == 2


def test_closed_dms_leave_the_public_reply_and_mark_the_dm_failed(x_deployment, fake):
    closed = fake.add_user("privada", "Carmen", dms_open=False)
    mention = fake.add_mention(closed, "Necesito información sobre mi inscripción")
    poll_and_drain(x_deployment)

    [case] = x_deployment.cli_json("cases", "list")
    assert case["ack_status"] == "failed"
    [reply] = fake.posted
    assert reply["in_reply_to_tweet_id"] == mention["id"] and case["radicado"] in reply["text"]
    assert fake.dms_sent == []


def test_a_reply_to_our_public_reply_follows_up_its_case(x_deployment, fake):
    ana = fake.add_user("ana_co", "Ana Pérez")
    fake.add_mention(ana, "Solicito copia de mi certificado de inscripción")
    poll_and_drain(x_deployment)
    [reply] = fake.posted
    fake.add_mention(fake.add_user("otra"), "¿Y cuándo responden?", reply_to=reply["id"])
    poll_and_drain(x_deployment)

    [case] = x_deployment.cli_json("cases", "list")
    statuses = [(m["status"], m["radicado"]) for m in by_channel(x_deployment)]
    assert statuses == [("case", case["radicado"]), ("follow_up", case["radicado"])]
    assert len(fake.posted) == 1 and len(fake.dms_sent) == 1


def test_poller_killed_mid_backlog_stores_and_acknowledges_each_mention_once(x_deployment, fake):
    total = 400
    mentions = [
        fake.add_mention(
            fake.add_user(f"ciudadano{n}"),
            f"@ServiciodEmpleo tengo bloqueada la cuenta del SISE hace una semana, solicito "
            f"que me la desbloqueen. Trámite {n}",
        )
        for n in range(total)
    ]
    x_deployment.env["VENTANILLA_X__FETCH_BATCH"] = "5"
    x_deployment.start("poller", "poll", "--channel", "x")
    wait_until(lambda: x_deployment.stored() >= 60, 120, "the poller to start the backlog")
    x_deployment.kill("poller")
    assert x_deployment.stored() < total  # killed in the middle

    x_deployment.start("poller", "poll", "--channel", "x")
    wait_until(lambda: x_deployment.stored() == total, 300, "the rest of the backlog")
    x_deployment.cli("drain", "--timeout", "300")

    rows = by_channel(x_deployment)
    assert len(rows) == total and {row["status"] for row in rows} == {"case"}
    assert len({row["radicado"] for row in rows}) == total
    assert sorted(p["in_reply_to_tweet_id"] for p in fake.posted) == sorted(
        m["id"] for m in mentions
    )
    assert len(fake.calls_to("create_tweet")) == total  # each reply tried once, not twice
    assert len(fake.dms_sent) == total
    assert len({dm["participant_id"] for dm in fake.dms_sent}) == total
