"""A language server that answers every request: raw bytes over stdio against `redline lsp`.

Each test spawns the real server on pipes, initializes it (without `initialized`, so no
model loads), writes frames byte for byte and reads every frame the server writes back,
each held to strict framing and strict JSON-RPC 2.0 JSON. The fuzz test sends a seeded
mix of broken frames, broken messages and valid requests, then checks that the server
is alive, answered each readable request exactly once, wrote only strict JSON, raised no
popup, printed no traceback, and still answers a normal request.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPLY_TIMEOUT = 30.0
CLOSE_TIMEOUT = 10.0
FUZZ_SEED = 16
FUZZ_MESSAGES = 300
FUZZ_SECONDS = 60.0  # the whole mix answered within this, on a busy machine
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
HUGE = 99_999_999_999  # more memory than the machine has
NOT_OPEN = "file:///nowhere/never-opened.md"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def encode(message: Any) -> bytes:
    return json.dumps(message).encode()


def frame(body: bytes, length: int | None = None, template: bytes = b"") -> bytes:
    """``body`` behind a header (``template`` holds a %d for the length)."""
    template = template or b"Content-Length: %d\r\n\r\n"
    return template % (len(body) if length is None else length) + body


def request(id: Any, method: str = "redline/stats", params: Any = None) -> dict[str, Any]:
    message = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


_AT_START = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
CHANGE_NOT_OPEN = notification(
    "textDocument/didChange",
    {
        "textDocument": {"uri": NOT_OPEN, "version": 2},
        "contentChanges": [{"range": _AT_START, "text": "x"}],
    },
)
NOTEBOOK_NOT_OPEN = notification(
    "notebookDocument/didChange",
    {"notebookDocument": {"uri": "file:///nowhere/book.ipynb", "version": 2}, "change": {}},
)


def with_id(id: bytes, method: bytes = b"redline/stats") -> bytes:
    """A request body with ``id`` written as raw JSON."""
    return b'{"jsonrpc": "2.0", "id": %s, "method": "%s"}' % (id, method)


def same_id(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def well_formed(message: Any) -> bool:
    """A JSON-RPC 2.0 message: a request or notification, or a response that has an id."""
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return False
    if "method" in message:
        return isinstance(message["method"], str)
    return "id" in message and ("result" in message) != ("error" in message)


class RawServer:
    """`redline lsp` on pipes: bytes go in as given, every frame out is kept, strictly read."""

    def __init__(self, data_dir: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "redline", "--data-dir", str(data_dir), "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.received: list[dict[str, Any]] = []
        self.malformed: list[bytes] = []  # what the server wrote that is no strict frame
        self.stderr = bytearray()
        self._arrived = threading.Condition()
        for target in (self._read_stdout, self._read_stderr):
            threading.Thread(target=target, daemon=True).start()

    def _read_stdout(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while (line := stream.readline()).endswith(b"\r\n") and line != b"\r\n":
                name, _, value = line.partition(b":")
                if name == b"Content-Length":
                    length = int(value)
            if line != b"\r\n" or length is None:
                if line:
                    self.malformed.append(b"a broken frame header: " + line)
                return
            body = stream.read(length)
            try:
                message = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
            except ValueError:
                message = None
            if not well_formed(message):
                self.malformed.append(body)
                continue
            with self._arrived:
                self.received.append(message)
                self._arrived.notify_all()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        while chunk := self.process.stderr.read1(65536):
            self.stderr += chunk

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: Any) -> None:
        self.write(frame(encode(message)))

    def wait_for(self, done: Callable[[], bool], timeout: float = REPLY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    tail = bytes(self.stderr[-2000:]).decode(errors="replace")
                    raise AssertionError(
                        f"no answer (exit code {self.process.poll()}; malformed output "
                        f"{self.malformed[-3:]}); stderr ends:\n{tail}"
                    )
                self._arrived.wait(min(left, 0.2))

    def responses(self, id: Any) -> list[dict[str, Any]]:
        return [m for m in self.received if "method" not in m and same_id(m["id"], id)]

    def answer(self, id: Any, timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:
        """Wait for the response to ``id``."""
        self.wait_for(lambda: bool(self.responses(id)), timeout)
        return self.responses(id)[0]

    def null_errors(self) -> list[int]:
        """The codes of the error responses with id null."""
        return [m["error"]["code"] for m in self.responses(None)]

    def sent(self, method: str) -> list[dict[str, Any]]:
        """The server's notifications and requests of ``method``."""
        return [m for m in self.received if m.get("method") == method]

    def initialize(self) -> None:
        params = {"processId": None, "rootUri": None, "capabilities": {}}
        self.send(request(0, "initialize", params))
        assert "result" in self.answer(0)

    def close(self) -> None:
        """shutdown and exit where the server still answers; killed where it does not."""
        try:
            self.send(request("shutdown", "shutdown"))
            self.answer("shutdown", CLOSE_TIMEOUT)
            self.send(notification("exit", None))
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=CLOSE_TIMEOUT)
        except (OSError, AssertionError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def server(data_dir: Path) -> Iterator[RawServer]:
    raw = RawServer(data_dir)
    try:
        raw.initialize()
        yield raw
    finally:
        raw.close()


def assert_serving(server: RawServer, id: Any = "still-there") -> None:
    """The server answers a normal request; it wrote only strict JSON, no popup, no traceback."""
    server.send(request(id))
    assert "tracking" in server.answer(id)["result"]
    assert server.process.poll() is None
    assert server.malformed == []
    assert server.sent("window/showMessage") == []
    assert b"Traceback" not in server.stderr


def logged(server: RawServer) -> str:
    return "\n".join(m["params"]["message"] for m in server.sent("window/logMessage"))


# -- one behaviour each ---------------------------------------------------------------------


def test_a_body_that_is_not_utf8_gets_a_parse_error(server: RawServer) -> None:
    body = encode(request(1, params={"text": "\udcff"})).replace(b"\\udcff", b"\xff")
    server.write(frame(body))
    assert_serving(server)
    assert server.null_errors() == [PARSE_ERROR] and server.responses(1) == []
    assert "UTF-8" in logged(server)


def test_non_json_constants_are_a_parse_error_never_echoed(server: RawServer) -> None:
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        server.write(frame(with_id(constant)))
    assert_serving(server)
    assert server.null_errors() == [PARSE_ERROR] * 3


def test_a_bad_id_is_refused_with_id_null(server: RawServer) -> None:
    bad_ids = (b"[1]", b'{"a": 1}', b"1.5", b"1e400", b"true", b"null")
    for bad in bad_ids:
        server.write(frame(with_id(bad)))
    assert_serving(server)
    assert server.null_errors() == [INVALID_REQUEST] * len(bad_ids)


def test_json_that_is_no_message_gets_invalid_request(server: RawServer) -> None:
    values = (5, "text", None, True, [], [request(7)], {"jsonrpc": "2.0"})
    for value in values:
        server.write(frame(encode(value)))
    assert_serving(server)
    assert server.null_errors() == [INVALID_REQUEST] * len(values)
    assert server.responses(7) == []


def test_a_readable_id_is_answered_even_when_the_request_is_invalid(server: RawServer) -> None:
    server.send({"id": 1, "method": "redline/stats"})  # no "jsonrpc"
    server.send({"jsonrpc": "1.0", "id": "two", "method": "redline/stats"})
    server.send(request(3, 42))  # type: ignore[arg-type]
    server.send({"jsonrpc": "2.0", "id": 4})  # neither a request nor a response
    for id in (1, "two", 3, 4):
        assert server.answer(id)["error"]["code"] == INVALID_REQUEST
    assert_serving(server)


def test_wrong_params_are_invalid_params_and_no_popup(server: RawServer) -> None:
    server.send(request(1, "textDocument/inlineCompletion", {"textDocument": 5}))
    server.send(request(2, "no/such/method"))
    server.send(request(3, "workspace/executeCommand", {"command": "no.such.command"}))
    stats = {"command": "redline.stats", "arguments": [1]}  # it takes none
    server.send(request(4, "workspace/executeCommand", stats))
    assert server.answer(1)["error"]["code"] == INVALID_PARAMS
    assert server.answer(2)["error"]["code"] == METHOD_NOT_FOUND
    assert server.answer(3)["error"]["code"] == INVALID_PARAMS
    assert server.answer(4)["error"]["code"] == INVALID_PARAMS
    assert_serving(server)


def test_notifications_it_cannot_act_on_go_to_the_log(server: RawServer) -> None:
    server.send(notification("textDocument/didOpen", {"x": 5}))
    server.send(CHANGE_NOT_OPEN)
    server.send(NOTEBOOK_NOT_OPEN)
    assert_serving(server)
    assert "textDocument/didOpen" in logged(server)
    assert f"{NOT_OPEN}, which is not open" in logged(server)
    assert "book.ipynb" in logged(server)


def test_a_request_after_shutdown_is_refused(server: RawServer) -> None:
    server.send(request("first", "shutdown"))
    assert server.answer("first")["result"] is None
    server.send(request(1))
    assert server.answer(1)["error"]["code"] == INVALID_REQUEST


def test_deep_nesting_is_refused_and_shallow_nesting_read(server: RawServer) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    server.write(frame(deep))
    server.write(frame(b'{"jsonrpc": "2.0", "id": 1, "method": "x", "params": %s}' % deep))
    nested = b"[" * 300 + b"]" * 300
    server.write(
        frame(b'{"jsonrpc": "2.0", "id": 2, "method": "redline/stats", "params": %s}' % nested)
    )
    assert "tracking" in server.answer(2)["result"]
    assert_serving(server)
    assert server.null_errors() == [PARSE_ERROR] * 2 and server.responses(1) == []


@pytest.mark.parametrize(
    "template",
    [
        b"content-length: %d\r\n\r\n",
        b"CONTENT-LENGTH:%d\r\n\r\n",
        b"Content-Length: %d\n\n",
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: %d\r\n\r\n",
        b"\r\n\nContent-Length: %d\r\nX-Other:\tvalue\r\n\r\n",
    ],
)
def test_header_names_in_any_case_and_lf_line_ends_are_read(
    server: RawServer, template: bytes
) -> None:
    server.write(frame(encode(request(1)), template=template))
    assert "result" in server.answer(1)
    assert_serving(server)
    assert logged(server) == ""  # read as any other frame


def test_a_frame_written_byte_by_byte_is_read(server: RawServer) -> None:
    for byte in frame(encode(request(1)), template=b"content-length: %d\n\n"):
        server.write(bytes([byte]))
    assert "result" in server.answer(1)
    assert_serving(server)
    assert logged(server) == ""


REQUEST_1 = encode(request(1))
BROKEN_FRAMES = {  # bytes; the ids answered (once each); the errors with id null
    "too short": (frame(REQUEST_1, length=10), [], 1),
    "too long, into the next frame": (
        frame(REQUEST_1, length=len(REQUEST_1) + 5) + frame(encode(request(2))),
        [2],
        1,
    ),
    "no header": (REQUEST_1, [], 0),
    "not a number": (b"Content-Length: ten\r\n\r\n" + REQUEST_1, [], 0),
    "no Content-Length": (frame(REQUEST_1, template=b"Content-Type: x%d\r\n\r\n"), [], 0),
    "not a header": (b"hello, server\r\n\r\n" + REQUEST_1, [], 0),
    "empty": (frame(b""), [], 1),
    "a header line of 20,000 bytes": (
        b"X-Junk: " + b"j" * 20_000 + b"\r\n" + frame(REQUEST_1),
        [1],
        0,
    ),
    "binary noise": (bytes(range(256)) * 4, [], 0),
}


@pytest.mark.parametrize("broken", BROKEN_FRAMES.values(), ids=BROKEN_FRAMES.keys())
def test_the_reader_resynchronises_after_a_framing_error(
    server: RawServer, broken: tuple[bytes, list[int], int]
) -> None:
    data, answered, nulls = broken
    server.write(data)
    assert_serving(server)
    for id in (1, 2):
        assert len(server.responses(id)) == (id in answered)
    assert len(server.null_errors()) == nulls
    assert logged(server)  # the framing error is in the client's log


@pytest.mark.parametrize("length", [HUGE, 2**40, 10**400])
def test_an_oversized_frame_is_refused_and_the_server_keeps_serving(
    server: RawServer, length: int
) -> None:
    server.write(b"Content-Length: %d\r\n\r\n" % length + REQUEST_1)
    assert_serving(server)
    assert server.responses(1) == []
    assert "Content-Length" in logged(server)


# -- the fuzzer -----------------------------------------------------------------------------


@dataclass
class Case:
    """Bytes to send; the id they must be answered with once; ids never to answer."""

    data: bytes
    reply: Any = None
    silent: tuple[Any, ...] = ()
    nulls: int = 0  # the errors with id null it causes


WRONG_PARAMS = [  # (method, params) of requests answered with an error (or stats)
    ("textDocument/inlineCompletion", {"textDocument": 5}),
    ("textDocument/codeAction", []),
    ("textDocument/completion", {"position": "x"}),
    ("redline/stats", 5),
    ("workspace/executeCommand", {"command": "no.such.command"}),
    ("workspace/executeCommand", {"command": "redline.stats", "arguments": [1]}),
    ("initialize", {"capabilities": []}),
]


def _no_reply(rng: random.Random, id: Any) -> dict[str, Any]:
    """A notification (wrong or about a document that is not open), or a client's response."""
    return rng.choice(
        [
            notification("textDocument/didOpen", {"textDocument": 5}),
            notification("textDocument/didChange", {"contentChanges": "x"}),
            CHANGE_NOT_OPEN,
            NOTEBOOK_NOT_OPEN,
            notification("textDocument/didClose", {"textDocument": {"uri": NOT_OPEN}}),
            notification("textDocument/didSave", []),
            notification("no/such/notification", {}),
            notification("$/setTrace", {"value": 1}),
            notification("$/cancelRequest", {"id": "never-sent"}),
            {"jsonrpc": "2.0", "id": id, "result": 5},
            {"jsonrpc": "2.0", "id": id, "error": {"code": 1, "message": "no"}},
            {"jsonrpc": "2.0", "id": id, "error": 5},
        ]
    )


def _fuzz_case(rng: random.Random, id: Any) -> Case:
    """One message of a random kind; ``id`` is unique to it."""
    good = encode(request(id))
    kind = rng.randrange(16)
    if kind == 0:
        return Case(frame(good), reply=id)
    if kind == 1:
        return Case(frame(encode(request(id, rng.choice(["no/such", "$/x", ""])))), reply=id)
    if kind == 2:
        method, params = rng.choice(WRONG_PARAMS)
        return Case(frame(encode(request(id, method, params))), reply=id)
    if kind == 3:
        return Case(frame(encode(_no_reply(rng, id))), silent=(id,))
    if kind == 4:
        cut = rng.randrange(1, len(good) - 1)
        noise = rng.choice([b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\x80\x80"])
        return Case(frame(good[:cut] + noise + good[cut:]), silent=(id,), nulls=1)
    if kind == 5:
        bad = rng.choice([b"[1]", b'{"a": 1}', b"1.5", b"1e400", b"true", b"null", b"NaN"])
        return Case(frame(with_id(bad)), nulls=1)
    if kind == 6:
        value = rng.choice([5, "text", None, False, [], [request(id)], [1, 2]])
        return Case(frame(encode(value)), silent=(id,), nulls=1)
    if kind == 7:
        depth = rng.randrange(20_000, 60_000)
        deep = b"[" * depth + b"]" * depth
        inside = b'{"jsonrpc": "2.0", "id": %s, "method": "x", "params": %s}' % (encode(id), deep)
        return Case(frame(rng.choice([deep, inside])), silent=(id,), nulls=1)
    if kind == 8:
        broken = rng.choice(
            [{"id": id, "method": "x"}, {"jsonrpc": 2, "id": id, "method": "x"}, request(id, 5)]
        )
        return Case(frame(encode(broken)), reply=id)
    if kind == 9:
        template = rng.choice(
            [b"content-length: %d\r\n\r\n", b"CONTENT-LENGTH: %d\n\n", b"Content-Length:%d\n\r\n"]
        )
        return Case(frame(good, template=template), reply=id)
    if kind == 10:
        return Case(frame(good, length=rng.randrange(1, len(good))), silent=(id,), nulls=1)
    if kind == 11:
        extra = rng.randrange(1, 40)
        return Case(frame(good, length=len(good) + extra) + b"#" * extra, silent=(id,), nulls=1)
    if kind == 12:
        return Case(good, silent=(id,))
    if kind == 13:
        value = rng.choice([b"ten", b"-5", b"1 2", b"", b"0x10"])
        return Case(b"Content-Length: " + value + b"\r\n\r\n" + good, silent=(id,))
    if kind == 14:
        length = rng.choice([HUGE, 2**40, 10**30])
        return Case(b"Content-Length: %d\r\n\r\n" % length + good, silent=(id,))
    noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    return Case(noise.replace(b"\n", b"") + b"\r\n" + frame(good), reply=id)


def fuzz_cases(seed: int, count: int) -> list[Case]:
    rng = random.Random(seed)
    return [_fuzz_case(rng, rng.choice([n, f"req-{n}"])) for n in range(1, count + 1)]


def test_the_server_answers_every_readable_request_of_a_random_mix(server: RawServer) -> None:
    cases = fuzz_cases(FUZZ_SEED, FUZZ_MESSAGES)
    assert {type(case.reply) for case in cases} == {type(None), int, str}
    start = time.monotonic()
    for case in cases:
        server.write(case.data)
    server.send(request("final"))
    assert "tracking" in server.answer("final", FUZZ_SECONDS)["result"]
    assert time.monotonic() - start < FUZZ_SECONDS
    assert_serving(server)
    for case in cases:
        if case.reply is not None:
            assert len(server.responses(case.reply)) == 1, case
        for id in case.silent:
            assert server.responses(id) == [], case
    expected = {0, "final", "still-there"} | {case.reply for case in cases}
    answered = [m["id"] for m in server.received if "method" not in m]
    assert all(id is None or id in expected for id in answered)
    nulls = server.null_errors()
    assert set(nulls) == {PARSE_ERROR, INVALID_REQUEST}
    assert len(nulls) == sum(case.nulls for case in cases)
