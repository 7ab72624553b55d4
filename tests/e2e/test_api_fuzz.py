"""Fuzzing the public API from its own OpenAPI schema (schemathesis) against a real
`ventanilla web` and worker: valid and invalid requests alike never get a 5xx, every answer
is one the schema documents (status, content type, body), and a 422 names its field.

Bounded for the suite (examples per operation below, derandomized so CI sees the same
cases); a longer run by hand: API_FUZZ_EXAMPLES=400 (README, "Fuzzing").
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "60"))
# The public endpoints (staff pages need a login; webhooks need a provider's signature).
OPERATIONS = [
    ("/api/v1/requests", "POST"),
    ("/api/v1/requests/{token}", "GET"),
    ("/estado/{radicado}", "GET"),
    ("/healthz", "GET"),
]
# What a 422 may name: the body's fields, the body itself, the idempotency header.
FIELDS = {"type", "name", "email", "phone", "subject", "text", "attachments", "body",
          "Idempotency-Key"}  # fmt: skip
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def service(deployment_factory, tmp_path):
    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'ventanilla.db'}",
        # A valid request waits at most this long for its radicado (then 202): the fuzzer
        # spends its time on requests, not on waiting.
        web__intake_wait_seconds="1",
    )
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    return deployment


@pytest.mark.timeout(600)
def test_the_public_api_answers_every_generated_request_as_its_schema_says(service):
    schema = schemathesis.openapi.from_url(f"{service.base_url}/openapi.json")
    session = requests.Session()
    seen: Counter[str] = Counter()

    for path, method in OPERATIONS:
        operation = schema[path][method]
        modes = [GenerationMode.POSITIVE]
        if method == "POST":
            modes.append(GenerationMode.NEGATIVE)
        cases = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in modes))

        @settings(
            max_examples=EXAMPLES * len(modes),
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def fuzz(case):
            response = case.call(base_url=service.base_url, session=session, timeout=30)
            seen[f"{case.method} {case.path} {response.status_code}"] += 1
            case.validate_response(response, checks=CHECKS)
            if response.status_code == 422 and "json" in response.headers["content-type"]:
                named = {error["field"] for error in response.json()["errors"]}
                assert named and named <= FIELDS, response.text

        fuzz()

    print("api fuzz answers:", dict(sorted(seen.items())))
    assert sum(seen.values()) >= 2 * EXAMPLES
    assert any(key.startswith("POST /api/v1/requests 20") for key in seen), seen
    assert "POST /api/v1/requests 422" in seen, seen
