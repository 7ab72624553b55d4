"""The public web as an attacker and a curious outsider meet it: bodies too large refused
unread, a flood from one address stopped before it spends radicados, a bot's form asked to
send again, security headers on every page, internals closed to remote clients.

"Remote" clients are simulated the way a reverse proxy on loopback reports them: with
X-Forwarded-For, which `web.trusted_proxies` (loopback by default) makes the client address.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

TEXT = "Solicito copia de mi certificado de inscripción en la bolsa de empleo, número {n}."


@pytest.fixture
def service(deployment_factory, tmp_path):
    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'ventanilla.db'}", web__intake_per_hour="5"
    )
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    return deployment


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def remote(address: str) -> dict[str, str]:
    return {"x-forwarded-for": address}


def test_security_headers_on_public_pages_and_internals_refused_to_remote_clients(service):
    page = httpx.get(f"{service.base_url}/pqrsdf")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    missing = httpx.get(f"{service.base_url}/estado/20260000000000")
    assert missing.headers["x-content-type-options"] == "nosniff"

    for path in ("/metrics", "/openapi.json"):
        assert httpx.get(f"{service.base_url}{path}").status_code == 200  # loopback
        refused = httpx.get(f"{service.base_url}{path}", headers=remote("203.0.113.7"))
        assert refused.status_code == 404, path


def test_a_flood_from_one_address_is_stopped_before_it_spends_radicados(service):
    answers = [
        httpx.post(
            f"{service.base_url}/api/v1/requests",
            json={"text": TEXT.format(n=n), "email": f"c{n}@example.com"},
            headers=remote("198.51.100.9"),
            timeout=30,
        )
        for n in range(12)
    ]
    codes = [a.status_code for a in answers]
    assert set(codes[:5]) <= {201, 202}  # 202: radicated a moment after the API's wait
    assert codes[5:] == [429] * 7
    assert all(0 < int(a.headers["retry-after"]) <= 3600 for a in answers[5:])
    assert "web.intake_per_hour" in answers[-1].json()["errors"][0]["message"]
    # Another address still files at once, and nothing of the refused ones was stored.
    other = httpx.post(
        f"{service.base_url}/api/v1/requests",
        json={"text": TEXT.format(n=99)},
        headers=remote("192.0.2.44"),
        timeout=30,
    )
    assert other.status_code == 201
    assert len(service.cli_json("messages", "list")) == 6
    form = httpx.post(
        f"{service.base_url}/pqrsdf",
        data={"text": TEXT.format(n=100)},
        headers=remote("198.51.100.9"),
    )
    assert form.status_code == 429
    assert "no</strong>\nquedó radicada" in form.text or "no</strong> quedó radicada" in form.text


def test_a_body_over_the_limit_is_refused_unread_and_the_server_stays_small(service):
    limit_mb = 34  # five 5 MB attachments in base64, plus the text: the default limit
    web_pid = service.processes["web"].pid
    before = rss(web_pid)
    slow: list[float] = []
    stop = threading.Event()

    def watch_health() -> None:
        while not stop.is_set():
            started = time.monotonic()
            httpx.get(f"{service.base_url}/healthz", timeout=10)
            slow.append(time.monotonic() - started)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch_health)
    watcher.start()
    payload = b"x" * (100 * 1024 * 1024)
    results: list[int] = []

    def post() -> None:
        response = httpx.post(
            f"{service.base_url}/api/v1/requests",
            content=payload,
            headers={"content-type": "application/json"},
            timeout=60,
        )
        results.append(response.status_code)

    posts = [threading.Thread(target=post) for _ in range(6)]
    for thread in posts:
        thread.start()
    for thread in posts:
        thread.join()
    stop.set()
    watcher.join()
    grown = rss(web_pid) - before
    assert results == [413] * 6
    assert grown < 100 * 1024 * 1024, f"the web process grew {grown / 2**20:.0f} MB"
    # The pages keep answering: before the limit, each 100 MB body froze them for seconds
    # while it was read and decoded. The bound is generous (a loaded CI machine); the
    # figure itself is printed for the closing note (run with -s).
    print(f"/healthz during six 100 MB posts: max {max(slow):.2f} s over {len(slow)} probes")
    assert max(slow) < 5.0, f"/healthz took {max(slow):.2f} s while refusing"
    chunked = httpx.post(
        f"{service.base_url}/api/v1/requests",
        content=(b"x" * (1024 * 1024) for _ in range(limit_mb + 2)),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert chunked.status_code == 413
    assert "web.max_body_bytes" in chunked.json()["errors"][0]["message"]


def test_a_stalled_body_is_timed_out(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}", web__body_timeout_seconds="1")
    deployment.start("web", "web")
    with socket.create_connection(("127.0.0.1", int(deployment.env["VENTANILLA_WEB__PORT"]))) as s:
        s.sendall(
            b"POST /api/v1/requests HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b'content-length: 100\r\n\r\n{"text":'
        )
        s.settimeout(10)
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408")


def test_the_form_sent_faster_than_a_person_can_is_asked_again_with_nothing_lost(service):
    page = httpx.get(f"{service.base_url}/pqrsdf")
    shown = re.search(r'name="shown" value="(\d+)"', page.text).group(1)
    fields = {"text": TEXT.format(n=1), "name": "Ana", "shown": shown}
    quick = httpx.post(f"{service.base_url}/pqrsdf", data=fields)
    assert quick.status_code == 422
    assert "envíela de nuevo" in quick.text
    assert TEXT.format(n=1) in quick.text  # the citizen's words are still in the form
    trap = httpx.post(f"{service.base_url}/pqrsdf", data={**fields, "sitio_web": "http://x"})
    assert trap.status_code == 422
    assert service.cli_json("messages", "list") == []
    fields["shown"] = str(int(shown) - 60)  # a person who took a minute
    filed = httpx.post(f"{service.base_url}/pqrsdf", data=fields, timeout=30)
    assert filed.status_code == 200  # the radicado, or the receipt page when it is slow
    assert len(service.cli_json("messages", "list")) == 1


def test_an_unknown_address_answers_a_spanish_page_and_the_api_keeps_json(service):
    for path in ("/no-existe", "/estado", "/estado/"):
        page = httpx.get(f"{service.base_url}{path}")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "No encontramos esa página" in page.text and '<html lang="es">' in page.text
    api = httpx.get(f"{service.base_url}/api/v1/nada")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
