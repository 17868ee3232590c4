"""The secret registry: every token relbot is given is registered here, and every message that
comes from git or HTTP passes through `redact` before anyone can see it."""

from __future__ import annotations

import base64
import re
from typing import Any

_SECRETS: set[str] = set()
_MASK = "***"
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def register(secret: str) -> None:
    """Remember a secret, and the encodings of it that can show up in output (Basic auth)."""
    if len(secret) < 4:
        return
    _SECRETS.add(secret)
    for user in ("x-access-token", "oauth2", "git"):
        _SECRETS.add(base64.b64encode(f"{user}:{secret}".encode()).decode())


def redact(text: str) -> str:
    """`text` with every registered secret and any `user:pass@` in URLs replaced by ***."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, _MASK)
    return _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{_MASK}@", text)


def redact_record(record: Any) -> bool:
    """A logging filter (a `logging.LogRecord` in, always kept): its message and arguments redacted."""
    record.msg = redact(str(record.msg))
    if record.args:
        record.args = tuple(redact(str(a)) for a in record.args) \
            if isinstance(record.args, tuple) else record.args
    return True


_INSTALLED: list[bool] = []


def install_logging_filter() -> None:
    """Redact what the libraries that log (GitPython, PyGithub and its urllib3) log, on the root
    logger and its handlers; called once one of them is imported. Idempotent."""
    import logging  # noqa: PLC0415 - only the libraries that log need it

    if _INSTALLED:
        return
    _INSTALLED.append(True)
    logging.getLogger().addFilter(redact_record)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact_record)
