"""A real smart-HTTP git server on 127.0.0.1 for end-to-end tests: `git http-backend` behind a token.

`GitHttpServer` owns a root directory (bare repositories under `root/repos`), a threaded `http.server`
on an ephemeral port, the token check, and a record of every request it saw. Git itself serves the
protocol: each request runs `git http-backend` as a CGI program and its response is streamed back.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import io
import os
import shlex
import socket
import socketserver
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import parse_qs, unquote, urlsplit

REALM = "relbot-test"
DEFAULT_USERNAME = "x-access-token"
_CHUNK = 64 * 1024
_MAX_BODY = 256 * 1024 * 1024
_NOT_FORWARDED = frozenset({
    "authorization", "proxy-authorization", "content-type", "content-length", "transfer-encoding",
    "connection", "keep-alive", "te", "trailer", "upgrade", "expect", "proxy-connection",
})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; the Authorization header's value is never kept."""

    method: str
    path: str
    query: str
    request_line: str
    has_authorization: bool
    status: int
    content_encoding: str
    chunked: bool
    body_length: int


def basic_auth_header(token: str, username: str = DEFAULT_USERNAME) -> str:
    raw = base64.b64encode(f"{username}:{token}".encode()).decode("ascii")
    return f"Basic {raw}"


def token_header_env(token: str, username: str = DEFAULT_USERNAME, *, bearer: bool = False) -> dict[str, str]:
    """Variables that make git send the token as an `Authorization` header: never in argv or a URL."""
    value = f"Bearer {token}" if bearer else basic_auth_header(token, username)
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: {value}"}


class GitHttpServer:
    """Bare repositories under `root/repos`, served over smart HTTP to clients that carry `token`.

    Every request needs HTTP Basic auth whose password is the token (any username) or
    `Authorization: Bearer <token>`. With `read_token_optional`, anonymous clients may fetch and clone,
    but pushes (`git-receive-pack`) still need the token; a wrong token is refused either way.
    """

    def __init__(self, root: Path, token: str, *, read_token_optional: bool = False,
                 request_timeout: float = 30.0, shutdown_timeout: float = 10.0) -> None:
        if not token:
            raise ValueError("GitHttpServer needs a non-empty token")
        self.root = root
        self.repos = root / "repos"
        self.token = token
        self.read_token_optional = read_token_optional
        self.request_timeout = request_timeout
        self.shutdown_timeout = shutdown_timeout
        self.backend = str(Path(_git_output("--exec-path")) / "git-http-backend")
        self._home = root / "home"
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._errors: list[str] = []
        self._pushes = 0
        self._active: dict[object, Callable[[], None]] = {}
        self._protected: dict[str, set[str]] = {}
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        self.repos.mkdir(parents=True, exist_ok=True)
        self._home.mkdir(parents=True, exist_ok=True)
        self._httpd = _Server(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"gitserver-{self.port}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop accepting, cut open connections and running backends, and join every thread (bounded)."""
        if self._httpd is None or self._thread is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            active = dict(self._active)
        for cut in active.values():
            cut()
        threads = [key for key in active if isinstance(key, threading.Thread)] + [self._thread]
        for thread in threads:
            thread.join(self.shutdown_timeout)
        leftover = [thread.name for thread in threads if thread.is_alive()]
        self._httpd = None
        if leftover:
            raise RuntimeError(f"git HTTP server threads still running after shutdown: {leftover}")

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("GitHttpServer is not running")
        return int(self._httpd.server_address[1])

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def repo_path(self, name: str) -> Path:
        path = (self.repos / name).resolve()
        if not name or path == self.repos.resolve() or self.repos.resolve() not in path.parents:
            raise ValueError(f"repository name must be a relative path under the server root: {name!r}")
        return path

    def create_repo(self, name: str) -> Path:
        """A bare repository with `main` as its default branch that accepts pushes over HTTP."""
        path = self.repo_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        _git_output("init", "-q", "--bare", "-b", "main", str(path), env=self.backend_env())
        _git_output("-C", str(path), "config", "http.receivepack", "true", env=self.backend_env())
        return path

    def protect_branch(self, name: str, branch: str) -> None:
        """Refuse every update to `refs/heads/<branch>` the way GitHub's branch protection does."""
        protected = self._protected.setdefault(name, set())
        protected.add(f"refs/heads/{branch}")
        hook = self.repo_path(name) / "hooks" / "pre-receive"
        hook.write_text(_pre_receive_hook(sorted(protected)), encoding="utf-8")
        hook.chmod(0o755)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def push_count(self) -> int:
        """Authorized `git-receive-pack` POSTs that carried commands (auth probes of `0000` excluded)."""
        with self._lock:
            return self._pushes

    @property
    def errors(self) -> list[str]:
        """Backend stderr and handler exceptions, for diagnosing a failing test."""
        with self._lock:
            return list(self._errors)

    def backend_env(self) -> dict[str, str]:
        """The server side's own environment: no user or system git config, no client variables."""
        return {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(self._home), "LC_ALL": "C",
                "TZ": "UTC", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}

    def authorize(self, header: str | None, push: bool) -> tuple[bool, str | None]:
        """(allowed, REMOTE_USER) for a request with this Authorization header."""
        if not header:
            return self.read_token_optional and not push, None
        user = _credential_user(header, self.token)
        return user is not None, user

    def record(self, request: RecordedRequest, *, push: bool) -> None:
        with self._lock:
            self._requests.append(request)
            if push:
                self._pushes += 1

    def note_error(self, text: str) -> None:
        with self._lock:
            self._errors.append(text)

    def track(self, key: object, cut: Callable[[], None] | None) -> None:
        """Note a running connection thread or backend with how to cut it short (None: it has ended)."""
        with self._lock:
            if cut is None:
                self._active.pop(key, None)
            else:
                self._active[key] = cut


class _Server(ThreadingHTTPServer):
    """One thread per connection, each tracked so `GitHttpServer.close` can cut and join it."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, app: GitHttpServer) -> None:
        self.app = app
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn, which can stall on a machine without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        thread = threading.Thread(target=self._serve_connection, args=(request, client_address),
                                  name=f"gitserver-conn-{client_address}", daemon=True)
        self.app.track(thread, lambda: _shutdown_socket(request))
        thread.start()

    def _serve_connection(self, request: socket.socket, client_address: object) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception as error:  # a broken connection must not take the server down
            self.app.note_error(f"{type(error).__name__}: {error}")
        finally:
            self.shutdown_request(request)
            self.app.track(threading.current_thread(), None)


class _Handler(BaseHTTPRequestHandler):
    """Token check, then `git http-backend` as CGI with its response streamed back."""

    protocol_version = "HTTP/1.1"
    server: _Server
    _record: RecordedRequest  # of the request being served; its status is filled in when known
    _counts_as_push: bool

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.app.request_timeout)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the server keeps its own record of requests."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        body, chunked = self._read_body()
        push = url.path.endswith("/git-receive-pack") or "git-receive-pack" in parse_qs(url.query).get(
            "service", [])
        allowed, user = self.server.app.authorize(self.headers.get("Authorization"), push)
        self._record = RecordedRequest(
            method=self.command, path=url.path, query=url.query, request_line=self.requestline,
            has_authorization="Authorization" in self.headers, status=0,
            content_encoding=self.headers.get("Content-Encoding", ""), chunked=chunked, body_length=len(body))
        self._counts_as_push = allowed and push and self.command == "POST" and len(body) > 4  # not `0000`
        if allowed:
            self._run_backend(unquote(url.path), url.query, body, user)
        else:
            self._deny()

    def _read_body(self) -> tuple[bytes, bool]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return _read_chunked(self.rfile), True
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            raise ValueError(f"request body too large: {length}")
        return self.rfile.read(length), False

    def _start_response(self, status: int, reason: str) -> None:
        """Record the request, then send the status line, so the record exists before the client is done."""
        self.server.app.record(replace(self._record, status=status), push=self._counts_as_push)
        self.send_response(status, reason or None)

    def _deny(self) -> None:
        message = b"Authentication required\n"
        self._start_response(401, "Unauthorized")
        self.send_header("WWW-Authenticate", f'Basic realm="{REALM}"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(message)))
        self.end_headers()
        self.wfile.write(message)

    def _run_backend(self, path: str, query: str, body: bytes, user: str | None) -> None:
        app = self.server.app
        with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
            stdin.write(body)
            stdin.seek(0)
            process = subprocess.Popen([app.backend], stdin=stdin, stdout=subprocess.PIPE, stderr=stderr,
                                       env=self._cgi_env(path, query, len(body), user))
            app.track(process, process.kill)
            watchdog = threading.Timer(app.request_timeout, process.kill)
            watchdog.start()
            assert process.stdout is not None
            try:
                self._relay(process.stdout)
            finally:
                watchdog.cancel()
                watchdog.join()
                process.stdout.close()  # a backend still writing gets EPIPE and ends
                _reap(process, app.request_timeout)
                app.track(process, None)
                stderr.seek(0)
                if text := stderr.read().decode(errors="replace").strip():
                    app.note_error(f"git http-backend {self.requestline}: {text}")

    def _cgi_env(self, path: str, query: str, length: int, user: str | None) -> dict[str, str]:
        app = self.server.app
        env = {**app.backend_env(), "GIT_PROJECT_ROOT": str(app.repos), "GIT_HTTP_EXPORT_ALL": "1",
               "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": self.request_version,
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(app.port), "REMOTE_ADDR": "127.0.0.1",
               "REQUEST_METHOD": self.command, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query}
        if self.command == "POST":
            env["CONTENT_LENGTH"] = str(length)  # of the body as sent, so still gzip-compressed if it was
        if content_type := self.headers.get("Content-Type"):
            env["CONTENT_TYPE"] = content_type
        if user is not None:
            env.update(REMOTE_USER=user, AUTH_TYPE="Basic")
        for name, value in self.headers.items():
            if name.lower() not in _NOT_FORWARDED:  # e.g. HTTP_CONTENT_ENCODING, HTTP_GIT_PROTOCOL
                env["HTTP_" + name.upper().replace("-", "_")] = value
        return env

    def _relay(self, stdout: IO[bytes]) -> None:
        """Send the CGI response: its headers (with `Status:` as the status line), then its body."""
        status, reason, headers = _read_cgi_headers(stdout)
        self._start_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        sized = any(name.lower() == "content-length" for name, _ in headers)
        streamed = not sized and self.request_version != "HTTP/1.0"
        if streamed:
            self.send_header("Transfer-Encoding", "chunked")
        elif not sized:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        read = getattr(stdout, "read1", stdout.read)  # what the backend has written so far: a real stream
        while data := read(_CHUNK):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if streamed else data)
        if streamed:
            self.wfile.write(b"0\r\n\r\n")


def _read_cgi_headers(stdout: IO[bytes]) -> tuple[int, str, list[tuple[str, str]]]:
    """`Status:` (200 when absent, 502 when the backend ended before its blank line) and the other headers."""
    status, reason, headers = 200, "OK", []
    while (raw := stdout.readline(_CHUNK)) != b"\n" and raw != b"\r\n":
        if not raw:
            return 502, "Bad Gateway", [("Content-Length", "0")]
        name, _, value = raw.rstrip(b"\r\n").decode("latin-1").partition(":")
        if name.strip().lower() == "status":
            code, _, reason = value.strip().partition(" ")
            status = int(code)
        else:
            headers.append((name.strip(), value.strip()))
    return status, reason, headers


def _read_chunked(rfile: io.BufferedIOBase) -> bytes:
    """Decode a `Transfer-Encoding: chunked` request body (git sends one when a push is large)."""
    body = bytearray()
    while True:
        size = int(rfile.readline(_CHUNK).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline(_CHUNK).strip():  # trailers, up to the blank line
                pass
            return bytes(body)
        if len(body) + size > _MAX_BODY:
            raise ValueError("chunked request body too large")
        body += rfile.read(size)
        rfile.readline(_CHUNK)


def _credential_user(header: str, token: str) -> str | None:
    """The user name a valid `Basic` or `Bearer` header names, or None when it does not carry `token`."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        return "bearer" if hmac.compare_digest(value.strip().encode(), token.encode()) else None
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, separator, password = decoded.partition(":")
    if not separator or not hmac.compare_digest(password.encode(), token.encode()):
        return None
    return username or DEFAULT_USERNAME


def _pre_receive_hook(refs: list[str]) -> str:
    patterns = "|".join(shlex.quote(ref) for ref in refs)
    return (
        "#!/bin/sh\n"
        "# Installed by tests/gitserver.py: branch protection with GitHub's wording.\n"
        "status=0\n"
        "while read -r old new ref; do\n"
        '  case "$ref" in\n'
        f"    {patterns})\n"
        '      echo "error: GH006: Protected branch update failed for $ref." >&2\n'
        '      echo "error: Changes must be made through a pull request." >&2\n'
        "      status=1 ;;\n"
        "  esac\n"
        "done\n"
        "exit $status\n"
    )


def _reap(process: subprocess.Popen[bytes], timeout: float) -> None:
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def _shutdown_socket(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


def _git_output(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], env=env, capture_output=True, text=True, check=False, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


class LiveBranches(dict[str, str]):
    """The fake API's branch table, answered from the real git server's repository."""

    def __init__(self, bare: Path, env: dict[str, str]) -> None:
        super().__init__()
        self.bare, self.env = bare, env

    def __contains__(self, name: object) -> bool:
        done = subprocess.run(["git", "--git-dir", str(self.bare), "rev-parse", "--verify", "-q",
                               f"refs/heads/{name}"], env=self.env, capture_output=True, check=False)
        return done.returncode == 0 or super().__contains__(name)
