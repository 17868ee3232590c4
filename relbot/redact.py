"""The secret registry: every token relbot is given is registered here, and every message that
comes from git or HTTP passes through `redact` before anyone can see it."""

from __future__ import annotations

import base64
import logging
import re

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


class RedactingFilter(logging.Filter):
    """A logging filter that redacts messages and arguments as records pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args:
            record.args = tuple(redact(str(a)) for a in record.args) \
                if isinstance(record.args, tuple) else record.args
        return True


def install_logging_filter() -> None:
    logging.getLogger().addFilter(RedactingFilter())
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
