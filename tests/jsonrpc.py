"""A raw JSON-RPC client of `redline lsp` over a subprocess's pipes, for tests that kill or
trace the server process (pytest-lsp's client owns its process)."""

from __future__ import annotations

import json
import subprocess
from typing import Any


def send(server: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    """Write one framed JSON-RPC 2.0 message to the server."""
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    assert server.stdin is not None
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    server.stdin.flush()


def answer(server: subprocess.Popen[bytes], id: int) -> dict[str, Any]:
    """Read the server's messages until the response to ``id``; its own requests (progress,
    workspace edits) are answered as an editor that applies every edit answers them."""
    assert server.stdout is not None
    while True:
        length = 0
        while (line := server.stdout.readline().strip()) != b"":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if not length:
            raise EOFError("the server closed its output")
        message = json.loads(server.stdout.read(length))
        if "method" in message and "id" in message:
            applied = {"applied": True} if message["method"] == "workspace/applyEdit" else None
            send(server, {"id": message["id"], "result": applied})
        elif message.get("id") == id:
            return message
