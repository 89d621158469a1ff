"""``signage serve``: the output folder over HTTP for the players and browsers on a branch LAN.

Read-only (GET and HEAD only; the one exception is ``POST /api/v1/events``, where the players
report what they played, handed to signage/proof/ingest.py), no directory listings (a folder serves its index.html or
nothing), every path normalised (RFC 3986 dot segments removed), then resolved (symbolic
links included) and refused unless it stays inside the output folder, content types for
everything a player loads, byte ranges for video seeking (one range per request, 206 with
Content-Range; 416 when unsatisfiable), and ETags from each file's identity (device, inode,
size, modification time) so players that ask again with If-None-Match get 304 and download
nothing. The standard library's ThreadingHTTPServer is enough for a branch's few screens;
each request is a thread.
"""

from __future__ import annotations

import contextlib
import email.utils
import io
import mimetypes
import os
import re
import socket
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .proof.ingest import PATH as EVENTS_PATH
from .proof.ingest import Receiver
from .tree import PREVIEW, PROOF_DIR, STATE_DIR, preview_index

TYPES = {
    ".mp4": "video/mp4",
    ".m4s": "video/iso.segment",  # fragmented MP4 segments (HLS, DASH)
    ".ts": "video/mp2t",  # MPEG-TS segments (HLS); not TypeScript, whatever the system's table says
    ".webm": "video/webm",
    ".png": "image/png",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".json": "application/json; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".m3u": "audio/x-mpegurl",  # an extended M3U: what VLC and mpv take as a playlist of files
    ".m3u8": "application/vnd.apple.mpegurl",  # HLS (RFC 8216) only
    ".smil": "application/smil+xml",
    ".srt": "application/x-subrip; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
}
PRIVATE = (STATE_DIR, PROOF_DIR)  # emergencies and the rotation log; the players' reports and tokens
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 1 << 16
DRAIN = 8 << 20  # a refused body up to this size is read and dropped; a larger one ends the connection


def url_segments(url_path: str) -> list[str] | None:
    """The segments of a request's path after RFC 3986 remove_dot_segments, each percent-decoded;
    None when the path cannot name a file (a NUL, a slash encoded inside a segment, bytes that
    are not UTF-8).

    ``%2E`` is an encoded unreserved character, so it is a dot (RFC 3986 §6.2.2.2) and
    ``%2E%2E`` a dot segment; ``%2F`` is data inside a segment, never a separator, and no file
    name holds a slash. A ``..`` above the root stays at the root, as a browser resolves it."""
    path = urllib.parse.urlsplit(url_path).path
    out: list[str] = []
    for raw in path.split("/"):
        try:
            segment = urllib.parse.unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return None
        if "/" in segment or "\x00" in segment:
            return None
        if segment == "..":
            if out:
                out.pop()
        elif segment not in ("", "."):
            out.append(segment)
    return out


def resolve(root: Path, url_path: str) -> Path | None:
    """The file (or folder) ``url_path`` names inside ``root``: dot segments removed first, then
    links followed; None if the result is not inside ``root`` or is one of the tool's own files.

    ``/publish/b/current/lobby/../../../../store/x.mp4`` (what a player asks for when it joins a
    playlist's relative entry to the playlist's address without normalising) is served; any path
    whose normalised form or whose links lead out of ``root`` is not."""
    parts = url_segments(url_path)
    return None if parts is None else contained(root, parts)


def contained(root: Path, parts: list[str]) -> Path | None:
    """The path of ``parts`` under ``root`` with its links resolved, if it exists and stays inside
    ``root`` and out of the tool's own files (dot-named: the lock, staging areas, temporary names;
    the rotation's state)."""
    if _private(tuple(parts)):
        return None
    try:
        real = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    base = root.resolve()
    if real != base and base not in real.parents:
        return None  # a link that leads out
    return None if _private(real.relative_to(base).parts) else real


def _private(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") for p in parts) or parts[:1] in [(name,) for name in PRIVATE]


def content_type(path: Path) -> str:
    return TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def byte_range(header: str | None, size: int) -> tuple[int, int, HTTPStatus] | None:
    """(first byte, last byte, status) for a Range header (one range; anything else: the whole file);
    None when the range cannot be satisfied."""
    whole = (0, size - 1, HTTPStatus.OK)
    match = _RANGE.match(header.strip()) if header and size > 0 else None
    if match is None or not (match.group(1) or match.group(2)):
        return whole
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:
        start, end = max(0, size - int(last)), size - 1
    if start > end or start >= size:
        return None
    return start, end, HTTPStatus.PARTIAL_CONTENT


def make_handler(root: Path, receiver: Receiver | None = None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "signage"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass  # quiet: a lobby's players ask every few seconds

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
            self._serve(body=False)

        def do_GET(self) -> None:  # noqa: N802
            self._serve(body=True)

        def do_POST(self) -> None:  # noqa: N802
            """The players' reports (``POST /api/v1/events``); any other POST is refused."""
            if receiver is None or urllib.parse.urlsplit(self.path).path != EVENTS_PATH:
                self.close_connection = True  # its body is not read
                self._answer(HTTPStatus.METHOD_NOT_ALLOWED, b'{"error":"read-only: only POST /api/v1/events"}')
                return
            read = False

            def body(length: int) -> bytes:
                nonlocal read
                read = True
                return self.rfile.read(length)

            chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
            length = self.headers.get("Content-Length")
            size = int(length) if length and length.isdigit() and not chunked else None
            reply = receiver.receive(self.headers.get("Authorization"), self.headers.get("Content-Type"), size, body)
            # an unread body is read and dropped, so that a client still sending reads the refusal rather
            # than a reset; one too large (or not chunked as it says) ends the connection
            if chunked:
                self.close_connection = not _discard_chunked(self.rfile, DRAIN)
            elif not read and size is not None and size <= DRAIN:
                _discard(self.rfile, size)
            elif not read and (size is None or size > 0):
                self.close_connection = True
            self._answer(HTTPStatus(reply.status), reply.payload(), reply.headers)

        def _answer(self, status: HTTPStatus, payload: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status == HTTPStatus.METHOD_NOT_ALLOWED:
                self.send_header("Allow", "GET, HEAD")
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)

        def _refuse(self, status: HTTPStatus) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _serve(self, body: bool) -> None:
            parts = url_segments(self.path)
            path = None if parts is None else contained(root, parts)
            if parts is None or path is None:
                self._refuse(HTTPStatus.NOT_FOUND)
                return
            if not parts and preview_index(root).is_file():  # a person opening the server's address
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", f"/{PREVIEW}/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path.is_dir():  # a folder serves its own index.html (inside the output folder too), never a listing
                index = contained(root, [*parts, "index.html"])
                if index is None or not index.is_file():
                    self._refuse(HTTPStatus.FORBIDDEN)
                    return
                path = index
            try:
                handle = path.open("rb")
            except OSError:
                self._refuse(HTTPStatus.NOT_FOUND)
                return
            with handle:
                stat = os.fstat(handle.fileno())
                etag = f'"{stat.st_dev:x}-{stat.st_ino:x}-{stat.st_size:x}-{stat.st_mtime_ns:x}"'
                if etag in [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]:
                    self.send_response(HTTPStatus.NOT_MODIFIED)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                size = stat.st_size
                span = byte_range(self.headers.get("Range"), size)
                if span is None:
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start, end, status = span
                self.send_response(status)
                self.send_header("Content-Type", content_type(path))
                self.send_header("Content-Length", str(end - start + 1 if size else 0))
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
                self.send_header("Cache-Control", "no-cache")  # always revalidate: the ETag makes that cheap
                if status == HTTPStatus.PARTIAL_CONTENT:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.end_headers()
                if body and size:
                    handle.seek(start)
                    remaining = end - start + 1
                    try:
                        while remaining > 0:
                            chunk = handle.read(min(CHUNK, remaining))
                            if not chunk:
                                break
                            self.wfile.write(chunk)
                            remaining -= len(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the player moved on (seeking): nothing is wrong

    return Handler


def _discard(stream: io.BufferedIOBase, size: int) -> None:
    while size > 0:
        chunk = stream.read(min(CHUNK, size))
        if not chunk:
            return
        size -= len(chunk)


def _discard_chunked(stream: io.BufferedIOBase, limit: int) -> bool:
    """Read a chunked body (RFC 9112 §7.1) to its end and drop it; False when it is longer than
    ``limit`` or not chunked as it says (the connection cannot be used again)."""
    total = 0
    while True:
        line = stream.readline(1024)
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            return False
        total += size
        if total > limit:
            return False
        if size == 0:
            while stream.readline(1024) not in (b"\r\n", b"\n", b""):  # trailer fields, then the empty line
                pass
            return True
        _discard(stream, size + 2)  # the chunk and its CRLF


class _Server(ThreadingHTTPServer):
    """Each connection in a thread of its own; closing the server ends them too (a player's kept-alive
    connection would otherwise go on being served by a server that was stopped)."""

    daemon_threads = True
    request_queue_size = 512  # a lobby full of players reconnecting at once: the default backlog is 5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self.connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def make_server(
    root: Path, bind: str = "127.0.0.1", port: int = 8080, receiver: Receiver | None = None
) -> ThreadingHTTPServer:
    """The server of ``root``; with a ``receiver``, it also takes the players' reports."""
    return _Server((bind, port), make_handler(root, receiver))


__all__ = ["content_type", "make_server", "resolve", "url_segments"]
