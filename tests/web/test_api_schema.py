"""The API against its own OpenAPI schema: schemathesis draws requests from the schema,
valid and invalid, sends them to the app through the ASGI transport and runs every check
it has (no server error, documented statuses, content types and bodies, valid data
accepted, invalid data rejected, undocumented methods answered 405 with a true `Allow`),
over all its phases (the schema's examples, boundary coverage, fuzzing, stateful links).

A 413 counts as a rejection of invalid data (an oversized negative body is refused before
it is read). Bounded examples keep it fast for `make test`; `make fuzz` runs it longer.
The test drives schemathesis' engine, as its command line does: its pytest plugin does
not run under pytest 9.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from papertide.web import create_app
from tests.helpers import FUZZ, fuzz_examples

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]  # thousands of requests: half a minute

REJECTIONS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]


def _config() -> SchemathesisConfig:
    config = {
        "generation": {"max-examples": fuzz_examples(12, 300)},
        "checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}},
    }
    if not FUZZ:
        config["seed"] = 20240531  # the same requests each `make test`; `make fuzz` draws anew
    return SchemathesisConfig.from_dict(config)


def _failures(stream: events.EventStream | object) -> list[str]:
    found = []
    for event in stream:  # type: ignore[attr-defined]
        if isinstance(event, events.ScenarioFinished) and event.status in (Status.FAILURE,
                                                                            Status.ERROR):
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        found.append(f"{event.recorder.label}: {check.name}: {failure.title}\n"
                                     f"  {failure.message}\n  {check.failure_info.code_sample}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            found.append(f"error: {event.info.message if hasattr(event, 'info') else event}")
    return list(dict.fromkeys(found))


def test_the_api_answers_as_its_schema_says(settings, demo):
    # Rate limits high enough that the requests reach the routes (a 429 is documented and
    # counts as an answer, but every 429 is a request the routes did not see).
    roomy = settings.model_copy(update={
        f"limit_{name}": "100000/minute"
        for name in ("mail_per_address", "mail_per_ip", "votes", "searches", "pages")})
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(roomy),
                                            config=_config())
    failures = _failures(from_schema(schema).execute())
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
