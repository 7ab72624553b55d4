"""The Orfeo client against the Orfeo double: what one radication costs on the wire.

Starts the double (tests/orfeo: Debian's PHP and nusoap, `php -S` with 4 workers) and files
N requests with `OrfeoClient.radicar`, each with its own PDF rendered beforehand, at a given
concurrency; then the same with faults (by default 10 % of answers lost after creating,
10 % failures before), resolving every Uncertain outcome by the cuentai lookup and filing
again only when the lookup finds nothing. Prints calls per second, latency per call, the
PDF's own cost, and checks that every reference ends with exactly one radicado.

    .venv/bin/python bench/orfeo_client.py [--requests 300] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import ORFEO_RECEIVER, free_port  # noqa: E402
from tests.orfeo.double import OrfeoDouble  # noqa: E402
from ventanilla.docsys.orfeo import (  # noqa: E402
    Created,
    Destinatario,
    OrfeoClient,
    OrfeoFiling,
    Uncertain,
)
from ventanilla.docsys.request_pdf import RequestDocument, render  # noqa: E402


def filings(count: int, tag: str) -> tuple[list[OrfeoFiling], float]:
    """`count` filings with their PDFs, and the mean seconds one PDF took to render."""
    started = time.perf_counter()
    made = []
    for i in range(count):
        ref = f"B{tag}-{i:05d}"
        pdf = render(
            RequestDocument(
                entity="Unidad del Servicio Público de Empleo",
                reference=ref,
                channel="email",
                received_at=datetime.now(UTC),
                zone="America/Bogota",
                sender="Ana María Peña Gómez <ana@example.org>",
                subject="Petición de certificado",
                text="Solicito el certificado de inscripción en la agencia de empleo. " * 20,
                attachments=[("cedula.pdf", 120_000)],
            )
        )
        citizen = Destinatario.citizen(name="Ana María Peña Gómez", email="ana@example.org")
        made.append(OrfeoFiling(ref, "Petición de certificado", citizen, "email", "peticion", pdf))
    return made, (time.perf_counter() - started) / count


def file_once(client: OrfeoClient, filing: OrfeoFiling) -> tuple[float, int]:
    """File until Orfeo holds the filing once: seconds taken and calls made."""
    started = time.perf_counter()
    calls = 0
    while True:
        calls += 1
        outcome = client.radicar(filing)
        if isinstance(outcome, Created):
            break
        if isinstance(outcome, Uncertain):
            calls += 1
            if client.consultar_radicado_cuentai(filing.reference):
                break
            continue
        raise SystemExit(f"{filing.reference}: {outcome}")
    return time.perf_counter() - started, calls


def run(double: OrfeoDouble, batch: list[OrfeoFiling], concurrency: int) -> dict[str, float]:
    clients = [OrfeoClient(double.wsdl_url, login=ORFEO_RECEIVER.login) for _ in batch]
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(file_once, clients, batch))
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    latencies = sorted(seconds for seconds, _ in results)
    for filing in batch:
        held = [r for r in double.radicados() if r["radi_cuentai"] == filing.reference]
        assert len(held) == 1, f"{filing.reference}: {len(held)} radicados"
    return {
        "per_second": len(batch) / elapsed,
        "median_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "calls": sum(calls for _, calls in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--lost", type=float, default=0.10, help="share of answers lost")
    parser.add_argument("--before", type=float, default=0.10, help="share failing before")
    args = parser.parse_args()
    double = OrfeoDouble(Path(tempfile.mkdtemp(prefix="orfeo-bench-")), free_port())
    double.start()
    try:
        double.add_user(ORFEO_RECEIVER)
        clean, pdf_seconds = filings(args.requests, "c")
        faulty, _ = filings(args.requests, "f")
        print(f"PDF render: {1000 * pdf_seconds:.1f} ms each ({len(clean[0].pdf):,} bytes)")
        figures = run(double, clean, args.concurrency)
        print(
            f"no faults: {args.requests} radicados at concurrency {args.concurrency}: "
            f"{figures['per_second']:.1f}/s, median {figures['median_ms']:.1f} ms, "
            f"p95 {figures['p95_ms']:.1f} ms, {figures['calls']:.0f} calls"
        )
        # Each call draws its fault: lost answers first, then failures before, of the rest.
        double.fail("radicarDocumento", "lost_after", times=-1, probability=args.lost)
        double.fail(
            "radicarDocumento", "fatal_before", times=-1, probability=args.before / (1 - args.lost)
        )
        figures = run(double, faulty, args.concurrency)
        faults = [f for f in double.calls("radicarDocumento") if f]
        print(
            f"with faults ({args.lost:.0%} lost after, {args.before:.0%} failing before): "
            f"{args.requests} radicados, one each, {figures['per_second']:.1f}/s, "
            f"median {figures['median_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
            f"{figures['calls']:.0f} calls ({len(faults)} faults injected)"
        )
    finally:
        double.stop()


if __name__ == "__main__":
    main()
