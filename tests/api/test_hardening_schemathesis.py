"""A Schemathesis run over every operation of the OpenAPI document, with a valid owner key:
data that fits the document and data that does not, and the responses checked by
Schemathesis's own checks (no server error, a documented status, a documented media type,
and, where a status is documented with a body, a body that fits it).

On PostgreSQL, the stricter of the two databases about text, in `make test`; the property test
of test_hardening_openapi.py sends the hostile inputs to every operation on both. For a long
run: `SCHEMATHESIS_EXAMPLES=25 .venv/bin/pytest tests/api/test_hardening_schemathesis.py -s`
(add `CALLROUTE_TEST_SCHEMATHESIS_DATABASES=sqlite,postgres` for both databases)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from tests.api.openapi_harness import Harness

# Examples per operation and generation mode; SCHEMATHESIS_EXAMPLES raises it for a long run.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
DATABASES = os.environ.get("CALLROUTE_TEST_SCHEMATHESIS_DATABASES", "postgres").split(",")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


@pytest.fixture
def harness(db_url: str) -> Iterator[Harness]:
    h = Harness(db_url)
    yield h
    h.close()


@pytest.mark.parametrize("db_kind", DATABASES, indirect=True)
def test_schemathesis_finds_no_server_error_and_no_undocumented_status(harness: Harness) -> None:
    schema = schemathesis.openapi.from_dict(harness.document)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    assert len(operations) > 140
    for operation in sorted(operations, key=lambda op: op.method.upper() == "DELETE"):
        fixed = {
            p.name: harness.ids[p.name] for p in operation.path_parameters if p.name in harness.ids
        }
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(
                generation_mode=mode,
                path_parameters=fixed if mode is GenerationMode.POSITIVE else None,
            )

            @hypothesis.settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
            @given(case=strategy)
            def run(case: Case[Any]) -> None:
                kwargs = case.as_transport_kwargs(
                    base_url="http://callroute.test", headers=harness.headers
                )
                kwargs.pop("cookies", None)
                response = harness.send(kwargs.pop("method"), kwargs.pop("url"), **kwargs)
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid (no parameters, no body): positive cases cover it.
                assert mode is GenerationMode.NEGATIVE, operation.label
    total = sum(harness.sent.values())
    print(f"\nschemathesis: {total} requests to {len(operations)} operations")
    assert total > len(operations) * 2
