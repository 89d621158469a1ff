"""``signage serve``: the output folder over HTTP for the players and browsers on a branch LAN.

Read-only (GET and HEAD only), no directory listings (a folder serves its index.html or
nothing), every path resolved (symbolic links included) and refused unless it stays inside
the output folder, content types for everything a player loads, byte ranges for video
seeking (one range per request, 206 with Content-Range; 416 when unsatisfiable), and
ETags from each file's identity (device, inode, size, modification time) so players that
ask again with If-None-Match get 304 and download nothing. The standard library's
ThreadingHTTPServer is enough for a branch's few screens; each request is a thread.
"""

from __future__ import annotations

import email.utils
import mimetypes
import os
import re
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .tree import STATE_DIR

TYPES = {
    ".mp4": "video/mp4",
    ".png": "image/png",
    ".gif": "image/gif",
    ".json": "application/json; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".smil": "application/smil+xml",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
}
PRIVATE = STATE_DIR  # output/schedule: emergencies and the rotation log, for the tool alone
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 1 << 16


def resolve(root: Path, url_path: str) -> Path | None:
    """The file (or folder) ``url_path`` names inside ``root``, links followed; None if it leaves root."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path)
    if "\x00" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." or p.startswith(".") for p in parts) or parts[:1] == [PRIVATE]:
        return None  # no way up, and none into the lock, staging areas or the rotation's own state
    target = root.joinpath(*parts) if parts else root
    try:
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    base = root.resolve()
    return real if real == base or base in real.parents else None


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


def make_handler(root: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "signage"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass  # quiet: a lobby's players ask every few seconds

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
            self._serve(body=False)

        def do_GET(self) -> None:  # noqa: N802
            self._serve(body=True)

        def _refuse(self, status: HTTPStatus) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _serve(self, body: bool) -> None:
            path = resolve(root, self.path)
            if path is None:
                self._refuse(HTTPStatus.NOT_FOUND)
                return
            if path.is_dir():  # a folder serves its own index.html (inside the output folder too), never a listing
                index = resolve(root, urllib.parse.urlsplit(self.path).path.rstrip("/") + "/index.html")
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # a lobby full of players reconnecting at once: the default backlog is 5


def make_server(root: Path, bind: str = "127.0.0.1", port: int = 8080) -> ThreadingHTTPServer:
    return _Server((bind, port), make_handler(root))


__all__ = ["make_server", "resolve"]
