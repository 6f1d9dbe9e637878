"""`redline lsp --tcp HOST:PORT` serves over TCP; a bad address is a usage error."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _send(stream: Any, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    stream.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
    stream.flush()


def _receive(stream: Any) -> dict[str, Any]:
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def test_initialize_over_tcp(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "REDLINE_DATA_DIR": str(tmp_path / "data")}
    server = subprocess.Popen(
        [sys.executable, "-m", "redline", "lsp", "--tcp", f"127.0.0.1:{port}"], env=env
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
        with connection, connection.makefile("rwb") as stream:
            params = {"processId": None, "rootUri": None, "capabilities": {}}
            _send(stream, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
            reply = _receive(stream)
            assert reply["id"] == 1
            assert "inlineCompletionProvider" in reply["result"]["capabilities"]
            _send(stream, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
            assert _receive(stream)["id"] == 2
            _send(stream, {"jsonrpc": "2.0", "method": "exit"})
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()


def test_a_bad_tcp_address_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "redline", "lsp", "--tcp", "localhost"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "HOST:PORT" in result.stderr
