"""GitHub's published OpenAPI description, loaded once, and the checks of each exchange against it.

The description is `api.github.com.deref.json` from the `@octokit/openapi` npm package
(`npm ci --prefix tests/node`). It is 70 MB of JSON, so it is parsed once per process and the validator
is kept at module level. Requests and responses are checked with openapi-core; a status that the
operation does not document (GitHub's description leaves out most 401s and many 404s, and never lists
a 502 or a 429) is checked against the component schema GitHub uses for it (`validation-error` for
422, `basic-error` otherwise) instead of being waved through.

Where the description and what GitHub (and its clients) do part ways, a request is checked as GitHub
takes it, and only there:

- an operation with servers of its own (the asset upload: uploads.github.com) is checked against its
  own server, whatever host the fake is on;
- a raw upload (the description's only media type is application/octet-stream) may be of any media type
  (its Content-Type names the file's type, e.g. application/zip), but it must have a Content-Type;
- a query parameter with an empty value counts as absent (PyGithub sends `label=` with every upload,
  which GitHub takes as no label, while the description's `allowEmptyValue: false` would refuse it);
- `{ref}` in the Git refs paths is a ref name with its slashes (`heads/feature/x`), as clients send it;
- a `nullable` schema takes null even where an `enum` or the `oneOf`/`anyOf` alternatives beside it do
  not list it (`"state_reason": null` on an open issue, `"author": null` on a commit of an email no
  account has, as GitHub sends them); that is how OpenAPI 3.0.0 reads, 3.0.3 wants null listed too;
- adding labels to an issue with a bare JSON array (what PyGithub's `add_to_labels` sends, and GitHub
  accepts) is checked as `{"labels": [...]}`; the description lists only the object form.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
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
_RAW_MEDIA_TYPE = "application/octet-stream"
# Paths whose last parameter is a ref name with slashes; the validator sees them %2F-encoded.
_SLASHED_REF = re.compile(r"(/repos/[^/]+/[^/]+/git/(?:ref|refs|matching-refs)/)(.+)")
_LABELS_PATH = re.compile(r"/repos/[^/]+/[^/]+/issues/[^/]+/labels")


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
        _allow_null_where_nullable(document)
        self._api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
        self._error_validators = {
            name: OAS30Validator(_error_schema(document, *where), format_checker=oas30_format_checker)
            for name, where in _ERROR_SCHEMAS.items()
        }
        self._special = _special_operations(document)

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
        where = f"request {method} {path}"
        problems: list[str] = []
        host, content_type = SPEC_HOST, headers.get("content-type", "application/json").lower()
        special = next((op for op in self._special if op.matches(method, path)), None)
        if special is not None:
            host = special.server or host
            if special.raw_body:
                if "content-type" not in headers:
                    problems.append(f"{where}: a raw upload needs a Content-Type header (the file's type)")
                content_type = _RAW_MEDIA_TYPE
        if method.upper() in ("POST", "PUT") and _LABELS_PATH.fullmatch(path):
            body = _labels_as_object(body)
        request = MockRequest(
            host,
            method,
            _SLASHED_REF.sub(lambda m: m[1] + m[2].replace("/", "%2F"), path),
            args={name: [v for v in values if v] for name, values in query.items() if any(values)},
            headers=dict(headers),
            data=body,
            content_type=content_type,
        )
        result = self._api.unmarshal_request(request)
        return request, problems + [line for error in result.errors for line in _describe(where, error)]

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


@dataclass(frozen=True)
class _Operation:
    """An operation the checks treat specially: its own server, or a raw (non-JSON) request body."""

    method: str
    pattern: re.Pattern[str]
    server: str | None
    raw_body: bool

    def matches(self, method: str, path: str) -> bool:
        return method.lower() == self.method and self.pattern.fullmatch(path) is not None


def _special_operations(document: dict[str, Any]) -> list[_Operation]:
    found = []
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            servers = operation.get("servers") or item.get("servers")
            raw = list(operation.get("requestBody", {}).get("content", {})) == [_RAW_MEDIA_TYPE]
            if servers or raw:
                pattern = re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)))
                found.append(_Operation(method, pattern, servers[0]["url"] if servers else None, raw))
    return found


def _allow_null_where_nullable(document: dict[str, Any]) -> None:
    """Let every `nullable` schema take null, also where an `enum` or the alternatives of a `oneOf` or
    `anyOf` beside it would not (GitHub sends `"state_reason": null`, a commit's `"author": null`)."""
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("nullable") is True:
                enum = node.get("enum")
                if isinstance(enum, list) and None not in enum:
                    enum.append(None)
                for key in ("oneOf", "anyOf"):
                    if isinstance(node.get(key), list) and not any(_takes_null(alt) for alt in node[key]):
                        node[key].append({"nullable": True, "enum": [None]})
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _takes_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("nullable") is True


def _labels_as_object(body: bytes) -> bytes:
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        return body
    return json.dumps({"labels": parsed}).encode() if isinstance(parsed, list) else body


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
