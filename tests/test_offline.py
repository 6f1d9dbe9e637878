"""Nothing redline does with its default config talks to a network.

Each command runs in a network namespace of its own (`unshare -rn`: no network at all)
under strace, which logs every socket call of the process and its children. Allowed:
AF_UNIX sockets (local, between threads and processes) and urllib3's import-time probe
for IPv6, which binds a socket to ::1 (loopback) and closes it (requests is imported by
langgraph's langchain-core). Nothing may connect or send to an internet address, nor
bind to one that is not loopback.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.documents import NEWS
from tests.jsonrpc import answer, send

pytestmark = pytest.mark.skipif(
    shutil.which("unshare") is None
    or shutil.which("strace") is None
    or subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode != 0,
    reason="needs unshare -rn (user and network namespaces) and strace",
)

CALL = re.compile(r"\b(connect|bind|sendto|sendmsg)\(\d+, .*?sa_family=(AF_INET6?)\b(.*)")
LOOPBACK = ("::1", "127.0.0.1")


def offline_command(log: Path, command: list[str]) -> list[str]:
    """``command`` without a network, logging the sockets it creates to ``log``."""
    calls = "trace=connect,bind,sendto,sendmsg"
    traced = ["strace", "-f", "-qq", "-e", calls, "-e", "signal=none", "-o", str(log)]
    return ["unshare", "-rn", *traced, *command]


def offline(log: Path, *command: str) -> bytes:
    """Run ``command`` offline to its end; its stdout."""
    result = subprocess.run(offline_command(log, list(command)), capture_output=True, timeout=600)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


def network_calls(log: Path) -> list[str]:
    """The socket calls in ``log`` that reach for an internet address other than loopback."""
    found = []
    for line in log.read_text().splitlines():
        call = CALL.search(line)
        if call and not (call[1] == "bind" and any(f'"{a}"' in call[3] for a in LOOPBACK)):
            found.append(line)
    return found


def lsp_session(log: Path, redline: list[str], uri: str, text: str) -> dict:
    """Open a document, ask for an inline completion, save, shut down; the completion."""
    server = subprocess.Popen(
        offline_command(log, [*redline, "lsp"]), stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    position = {"line": 0, "character": len(text)}
    document = {"uri": uri, "languageId": "markdown", "version": 1, "text": text}
    try:
        send(
            server,
            {
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}},
            },
        )
        answer(server, 1)
        send(server, {"method": "initialized", "params": {}})
        send(server, {"method": "textDocument/didOpen", "params": {"textDocument": document}})
        send(
            server,
            {
                "id": 2,
                "method": "textDocument/inlineCompletion",
                "params": {
                    "textDocument": {"uri": uri},
                    "position": position,
                    "context": {"triggerKind": 1},
                },
            },
        )
        completion = answer(server, 2)
        send(
            server,
            {
                "method": "textDocument/didSave",
                "params": {"textDocument": {"uri": uri}, "text": text},
            },
        )
        send(server, {"id": 3, "method": "shutdown"})
        answer(server, 3)
        send(server, {"method": "exit"})
        assert server.wait(timeout=60) == 0
        return completion
    finally:
        server.kill()  # fmt: skip


def test_observe_complete_draft_learn_and_a_language_server_open_no_network_socket(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    redline = [sys.executable, "-m", "redline", "--data-dir", str(data)]
    source, edited = tmp_path / "news.md", tmp_path / "edited.md"
    source.write_text(NEWS[0], encoding="utf-8")
    edited.write_text(NEWS[0].replace("The extension", "The new line"), encoding="utf-8")
    logs = {name: tmp_path / f"{name}.strace" for name in ("observe", "complete", "draft")}
    offline(logs["observe"], *redline, "observe", str(source))
    assert offline(logs["complete"], *redline, "complete", "The Harlow city council").strip()
    offline(logs["draft"], *redline, "draft", str(source))
    logs["learn"] = tmp_path / "learn.strace"
    offline(logs["learn"], *redline, "learn", "--draft", "1", str(edited))
    logs["lsp"] = tmp_path / "lsp.strace"
    completion = lsp_session(logs["lsp"], redline, (tmp_path / "n.md").as_uri(), "The Harlow")
    assert "result" in completion, completion
    reached = {name: network_calls(log) for name, log in logs.items()}
    assert reached == {name: [] for name in logs}, reached


def test_the_trace_sees_a_connection_attempt(tmp_path: Path) -> None:
    """The check above can fail: a process that tries the network is caught."""
    log = tmp_path / "probe.strace"
    attempt = (
        "import socket\ntry: socket.create_connection(('192.0.2.1', 80), 1)\nexcept OSError: pass"
    )
    offline(log, sys.executable, "-c", attempt)
    assert network_calls(log)
