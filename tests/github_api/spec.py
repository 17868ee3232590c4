"""GitHub's published OpenAPI description, loaded once, and the checks of each exchange against it.

The description is `api.github.com.deref.json` from the `@octokit/openapi` npm package
(`npm ci --prefix tests/node`). It is 70 MB of JSON, so it is parsed once per process and the validator
is kept at module level. Requests and responses are checked with openapi-core; a status that the
operation does not document (GitHub's description leaves out most 401s and many 404s, and never lists
a 502 or a 429) is checked against the component schema GitHub uses for it (`validation-error` for
422, `basic-error` otherwise) instead of being waved through.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from openapi_schema_validator import OAS30Validator, oas30_format_checker

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
SPEC_PATH = NODE_DIR / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.deref.json"
INSTALL_HINT = "run `npm ci --prefix tests/node` (it installs @octokit/openapi, GitHub's OpenAPI description)"
# The spec's only server; requests are checked as if sent there, whatever port the fake listens on.
SPEC_HOST = "https://api.github.com"
_MAX_DETAIL = 300


def missing_spec() -> str | None:
    """Why the description cannot be loaded here, or None when it is in place."""
    if not SPEC_PATH.is_file():
        return f"{SPEC_PATH} is missing: {INSTALL_HINT}"
    return None


class SpecValidator:
    """Checks requests and responses against one parsed OpenAPI document."""

    def __init__(self, document: dict[str, Any], load_seconds: float = 0.0) -> None:
        self.document = document
        self.load_seconds = load_seconds
        self.version = str(document["info"]["version"])
        self._api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
        self._error_validators = {
            name: OAS30Validator(_error_schema(document, *where), format_checker=oas30_format_checker)
            for name, where in _ERROR_SCHEMAS.items()
        }

    def docs_url(self, method: str, template: str) -> str:
        """The operation's `externalDocs` link, which GitHub puts in its error bodies."""
        operation = self.document["paths"].get(template, {}).get(method.lower(), {})
        return str(operation.get("externalDocs", {}).get("url", "https://docs.github.com/rest"))

    def check_request(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[MockRequest, list[str]]:
        """The request as openapi-core sees it, and what is wrong with it (empty when valid)."""
        request = MockRequest(
            SPEC_HOST,
            method,
            path,
            args=dict(query),
            headers=dict(headers),
            data=body,
            content_type=headers.get("content-type", "application/json").lower(),
        )
        result = self._api.unmarshal_request(request)
        where = f"request {method} {path}"
        return request, [line for error in result.errors for line in _describe(where, error)]

    def check_response(
        self, request: MockRequest, status: int, headers: Mapping[str, str], body: bytes
    ) -> list[str]:
        """What is wrong with the response to `request` (empty when valid)."""
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
        response = MockResponse(body, status_code=status, headers=dict(headers), content_type=content_type)
        where = f"response {status} to {request.method.upper()} {request.path}"
        result = self._api.unmarshal_response(request, response)
        problems: list[str] = []
        for error in result.errors:
            if isinstance(error, ResponseNotFound):
                problems.extend(self._check_undocumented(where, status, content_type, body))
            else:
                problems.extend(_describe(where, error))
        return problems

    def _check_undocumented(self, where: str, status: int, content_type: str, body: bytes) -> list[str]:
        if status < 400:
            return [f"{where}: status {status} is not documented for this operation"]
        if not content_type.startswith("application/json"):
            return [f"{where}: an error body must be application/json, not {content_type!r}"]
        schema = "validation-error" if status == 422 else "basic-error"
        try:
            instance = json.loads(body)
        except ValueError as exc:
            return [f"{where}: body is not JSON ({exc})"]
        errors = sorted(self._error_validators[schema].iter_errors(instance), key=str)
        return [f"{where} (checked as {schema}): {_schema_error(e)}" for e in errors]


# The dereferenced description has no `components`; these answers carry the two error schemas.
_ERROR_SCHEMAS = {
    "basic-error": ("/repos/{owner}/{repo}", "get", "404", "Basic Error"),
    "validation-error": ("/repos/{owner}/{repo}/releases", "post", "422", "Validation Error"),
}


def _error_schema(
    document: dict[str, Any], path: str, method: str, status: str, title: str
) -> dict[str, Any]:
    schema: dict[str, Any] = document["paths"][path][method]["responses"][status]["content"][
        "application/json"
    ]["schema"]
    if schema.get("title") != title:
        raise ValueError(f"{method.upper()} {path} {status} no longer answers with {title!r}")
    return schema


def _describe(where: str, error: Exception) -> list[str]:
    """One line per problem: what openapi-core rejected, then each JSON Schema error under it."""
    cause = error.__cause__
    if isinstance(cause, InvalidSchemaValue):
        errors = list(cause.schema_errors)
        head = (
            f"{where}: {type(error).__name__}, {len(errors)} schema error(s) against the {cause.type} schema"
        )
        return [head, *(f"{where}:   {_schema_error(e)}" for e in errors)]
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return [f"{where}: {_clip(text)}"]


def _schema_error(error: Exception) -> str:
    """A jsonschema ValidationError as `at /json/pointer: message`."""
    location = "/" + "/".join(str(part) for part in getattr(error, "absolute_path", ()))
    return f"at {location}: {_clip(str(getattr(error, 'message', error)))}"


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


@functools.cache
def load_validator() -> SpecValidator:
    """The validator for api.github.com, parsed on first use and shared by every test in the process."""
    problem = missing_spec()
    if problem is not None:
        raise FileNotFoundError(problem)
    started = time.perf_counter()
    with SPEC_PATH.open("rb") as handle:
        document = json.load(handle)
    validator = SpecValidator(document)
    validator.load_seconds = time.perf_counter() - started
    return validator
