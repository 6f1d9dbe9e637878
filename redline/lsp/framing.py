"""The bytes from the client read as frames of JSON, whatever it sends; the stdio and TCP loops.

pygls 2's reader (``pygls.io_.run_async``) knows only ``Content-Length: N\\r\\n`` spelled
so: a header name in another case, LF-only line ends, no header or a wrong length leave
it skipping every later frame until a stray CRLF arrives, ``Content-Length: 99999999999``
makes it try to read that much, and a body that is not UTF-8 or JSON is logged with a
traceback and shown to the user in a popup, never answered. Upstream: one bad message
should not take out the server (openlawlibrary/pygls#277); since #282 (in 0.13) pygls
shows such errors with ``showMessage``. No pygls issue covers case-insensitive headers
or resynchronising; rust-analyzer's lsp-server made its header case-insensitive in
rust-lang/rust-analyzer#15257. This reader:

- takes header names in any case, lines ending in CRLF or LF, blank lines between frames;
- refuses a header block over MAX_HEADER bytes and a frame over MAX_FRAME bytes;
- after a framing error (reported) skips to the next ``Content-Length`` and reads on there;
- decodes each body as strict UTF-8 JSON (no NaN or Infinity, nesting bounded by the
  recursion limit); in a body that was too long it gives back what follows the JSON
  value, so the next frame it ran into is still read.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from pygls.io_ import StdoutWriter

if TYPE_CHECKING:
    from redline.lsp.protocol import RedlineProtocol
    from redline.lsp.server import RedlineServer

CHUNK = 65536
MAX_HEADER = 8192
MAX_FRAME = 64 * 1024 * 1024  # a 5 MB document, escaped, fits many times over
_LENGTH = b"content-length"
_SYNC = re.compile(re.escape(_LENGTH), re.IGNORECASE)
_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a header name (an RFC 9110 token)
_DIGITS = re.compile(rb"[0-9]+")

Read = Callable[[], Awaitable[bytes]]  # the next bytes, b"" at the end of the stream


class FramingError(Exception):
    """The bytes at the head of the stream are not a frame's header."""


@dataclass(frozen=True)
class Unreadable:
    """A frame whose body is not JSON."""

    reason: str


def _content_length(value: bytes) -> int:
    if not _DIGITS.fullmatch(value):
        raise FramingError(f"a Content-Length that is not a number: {value[:40]!r}")
    if len(value) > len(str(MAX_FRAME)) or int(value) > MAX_FRAME:
        raise FramingError(f"a Content-Length over {MAX_FRAME} bytes: {value[:40].decode()}")
    return int(value)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class Frames:
    """The bodies of the frames in a byte stream, each a JSON value or :class:`Unreadable`."""

    def __init__(self, read: Read, report: Callable[[str], None]) -> None:
        self._read = read
        self._report = report  # told of each framing error
        self._buffer = bytearray()

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            try:
                length = await self._header()
            except FramingError as exc:
                self._report(f"{exc}; skipped to the next Content-Length header")
                if await self._resync():
                    continue
                return
            if length is None or not await self._fill(length):
                return
            body = bytes(self._buffer[:length])
            del self._buffer[:length]
            yield self._decode(body)

    async def _more(self) -> bool:
        chunk = await self._read()
        self._buffer += chunk
        return bool(chunk)

    async def _fill(self, size: int) -> bool:
        while len(self._buffer) < size:
            if not await self._more():
                return False
        return True

    async def _header(self) -> int | None:
        """Consume the header block at the head of the buffer and return its Content-Length
        (None at the end of the stream); on a FramingError the block stays, for _resync."""
        start, length, named = 0, None, False
        while True:
            end = self._buffer.find(b"\n", start)
            if end < 0 or end > MAX_HEADER:
                if len(self._buffer) > MAX_HEADER:
                    raise FramingError(f"a header longer than {MAX_HEADER} bytes")
                if not await self._more():
                    return None
                continue
            line = bytes(self._buffer[start:end]).removesuffix(b"\r")
            start = end + 1
            if not line and not named:  # a blank line between frames
                del self._buffer[:start]
                start = 0
            elif not line:
                if length is None:
                    raise FramingError("a header without Content-Length")
                del self._buffer[:start]
                return length
            else:
                name, colon, value = line.partition(b":")
                if not colon or not _NAME.fullmatch(name):
                    raise FramingError(f"bytes that are not a header: {line[:60]!r}")
                named = True
                if name.lower() == _LENGTH:
                    length = _content_length(value.strip(b" \t"))

    async def _resync(self) -> bool:
        """Drop the buffer up to the next "Content-Length" after its first byte."""
        while (found := _SYNC.search(self._buffer, 1)) is None:
            del self._buffer[: -len(_LENGTH)]  # these could begin the name
            if not await self._more():
                return False
        del self._buffer[: found.start()]
        return True

    def _decode(self, body: bytes) -> Any:
        try:
            return json.loads(body.decode("utf-8"), parse_constant=_no_constant)
        except UnicodeDecodeError as exc:
            return Unreadable(f"the body is not UTF-8 ({exc.reason} at byte {exc.start})")
        except RecursionError:
            return Unreadable("the body is nested too deeply")
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":  # the length ran into the next frame: read that again
                self._buffer[:0] = exc.doc[exc.pos :].encode()
            return Unreadable(f"the body is not JSON ({exc.msg} at character {exc.pos})")
        except ValueError as exc:  # NaN or Infinity, an integer of too many digits
            return Unreadable(f"the body is not JSON ({exc})")


async def pump(read: Read, protocol: RedlineProtocol) -> None:
    """Hand what the client sends to the protocol until the stream ends."""
    async for value in Frames(read, protocol.log_protocol_error):
        protocol.receive(value)


def _stdin_reader(server: RedlineServer, stdin: BinaryIO) -> Read:
    """Read ``stdin`` on pygls' thread pool; a read is asked for only when the bytes read
    so far are handled, so none is pending when ``exit`` ends the process."""
    loop = asyncio.get_running_loop()
    return lambda: loop.run_in_executor(server.thread_pool, os.read, stdin.fileno(), CHUNK)


def _run(server: RedlineServer, main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``main`` until the stream ends, the client sends ``exit`` or goes away."""
    try:
        asyncio.run(main())
    except (BrokenPipeError, KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()


def serve_stdio(server: RedlineServer, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Serve on stdin and stdout."""
    server.protocol.set_writer(StdoutWriter(stdout))

    async def main() -> None:
        await pump(_stdin_reader(server, stdin), server.protocol)

    _run(server, main)


def serve_tcp(server: RedlineServer, host: str, port: int) -> None:
    """Serve the first client that connects to ``host``:``port``."""

    async def main() -> None:
        finished = asyncio.Event()

        async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            server.protocol.set_writer(writer)  # type: ignore[arg-type]
            try:
                await pump(functools.partial(reader.read, CHUNK), server.protocol)
            finally:
                finished.set()

        async with await asyncio.start_server(connected, host, port):
            await finished.wait()

    _run(server, main)
