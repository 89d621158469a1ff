"""``POST /api/v1/events`` on `signage serve`: a screen's token stores its player's batch once, in one
transaction, with the daily totals and last heartbeat it changes; every bad input is a clear refusal
(a status and a JSON error) that stores nothing and leaves the server serving; and the tokens are
issued, listed and revoked from the command line, kept only as hashes."""

from __future__ import annotations

import http.client
import json
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from signage.app import tokens as tokens_app
from signage.app.project import open_project
from signage.errors import SignageError
from signage.proof.batch import SCHEMA_FILE, json_schema
from signage.proof.ingest import Limits, Receiver
from signage.proof.store import Event, connect, issue_token, prune, revoke_token, store_batch, token_hash
from signage.serve import make_server
from signage.tree import proof_db

from .helpers import Cli, copy_example

Post = Callable[..., tuple[int, dict[str, Any], dict[str, str]]]


def publish(output: Path, branch: str, folders: list[str]) -> None:
    """A published version of ``branch`` as far as the endpoint reads it: version.json's screen folders."""
    version = output / "publish" / branch / "v0001"
    version.mkdir(parents=True)
    (version / "version.json").write_text(json.dumps({"screens": {f: {} for f in folders}}), encoding="utf-8")
    (output / "publish" / branch / "current").symlink_to("v0001")


def play(at: float, item: str = "slogan:two-cards", seconds: float = 10.0, campaign: str = "default") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "play",
        "at": at,
        "duration": seconds,
        "item": item,
        "artifact": "led/door/zh-Hans-CN/" + item.split(":")[1],
        "version": "v0001",
        "campaign": campaign,
    }


def heartbeat(at: float, errors: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "heartbeat",
        "at": at,
        "version": "v0001",
        "campaign": "default",
        "data": {"visible": True, "showing": "led/door/zh-Hans-CN/two-cards", "errors": list(errors)},
    }


def batch(events: list[dict[str, Any]], screen: str = "door", branch: str = "east-1", **extra: Any) -> dict[str, Any]:
    return {"branch": branch, "screen": screen, "sent": time.time(), "events": events, **extra}


class Served:
    """A running server over a tmp output with two published branches, and its tokens."""

    def __init__(self, output: Path, limits: Limits) -> None:
        self.output = output
        publish(output, "east-1", ["door", "lobby", "door~overnight"])
        publish(output, "west-2", ["door"])
        self.receiver = Receiver(output, limits)
        self.server = make_server(output, "127.0.0.1", 0, self.receiver)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        db = connect(proof_db(output))
        self.tokens = {
            name: issue_token(db, *name.split("/"), now=time.time()) or ""
            for name in ("east-1/door", "east-1/lobby", "west-2/door", "east-1/gone")
        }
        db.close()

    def post(self, body: bytes | dict[str, Any], token: str | None = "east-1/door", **headers: str) -> Any:
        """(status, JSON answer, headers) of one POST; ``token``: a screen (its token is sent) or a token."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", "Content-Length": str(len(data))}
        if token is not None:
            sent["Authorization"] = "Bearer " + self.tokens.get(token, token)
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        sent = {k: v for k, v in sent.items() if v != ""}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        chunked = "Content-Length" not in sent  # http.client sends a body of unknown length chunked
        connection.request("POST", "/api/v1/events", body=iter([data]) if chunked else data, headers=sent)
        response = connection.getresponse()
        answer = json.loads(response.read() or b"null")
        connection.close()
        return response.status, answer, dict(response.getheaders())

    def rows(self, sql: str = "SELECT count(*) FROM events") -> list[tuple[Any, ...]]:
        db = sqlite3.connect(proof_db(self.output))
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.receiver.close()


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[Served]:
    running = Served(tmp_path / "output", Limits(rate=50, burst=50))
    yield running
    running.close()


def test_a_batch_is_stored_once_with_its_daily_totals_and_the_last_heartbeat(served: Served) -> None:
    now = time.time() - 120
    events = [play(now), play(now + 10, "case:shuadan-rebate", 12.5), heartbeat(now + 30, ("cannot load x",))]
    status, answer, _ = served.post(batch(events))
    assert (status, answer) == (200, {"stored": 3, "duplicates": 0})
    assert served.rows("SELECT kind, item, campaign, version FROM events ORDER BY at") == [
        ("play", "slogan:two-cards", "default", "v0001"),
        ("play", "case:shuadan-rebate", "default", "v0001"),
        ("heartbeat", None, "default", "v0001"),
    ]
    assert served.rows("SELECT item, plays, seconds FROM daily ORDER BY item") == [
        ("case:shuadan-rebate", 1, 12.5),
        ("slogan:two-cards", 1, 10.0),
    ]
    assert served.rows("SELECT branch, screen, version, showing, visible, errors FROM screens_seen") == [
        ("east-1", "door", "v0001", "led/door/zh-Hans-CN/two-cards", 1, 1)
    ]
    # the same batch again (an answer lost on the way back): refused as a replay, nothing counted twice
    status, answer, _ = served.post(batch(events))
    assert status == 409 and "replayed" in answer["error"] and answer["duplicates"] == 3
    # a retry that also carries new events: only those are stored
    status, answer, _ = served.post(batch([*events, play(now + 40)]))
    assert (status, answer) == (200, {"stored": 1, "duplicates": 3})
    assert served.rows() == [(4,)]
    assert served.rows("SELECT sum(plays), sum(seconds) FROM daily") == [(3, 32.5)]
    # an older heartbeat arriving late leaves the last one in place
    assert served.post(batch([heartbeat(now - 60)]))[0] == 200
    assert served.rows("SELECT at FROM screens_seen") == [(now + 30,)]


def _oversized() -> bytes:
    return b'{"branch": "east-1", "padding": "' + b"x" * (600 * 1024) + b'"}'


BAD: list[tuple[str, Callable[[], Any], dict[str, Any], int, str]] = [
    ("oversized", _oversized, {}, 413, "at most"),
    ("malformed JSON", lambda: b'{"branch": "east-1", "screen": "door", "events": [', {}, 400, "malformed JSON"),
    ("not JSON at all", lambda: b"\xff\xfe garbage", {}, 400, "malformed JSON"),
    ("an unknown key", lambda: batch([play(time.time() - 60)], extra="x"), {}, 422, "extra"),
    ("a number as a string", lambda: batch([{**play(time.time() - 60), "duration": "10"}]), {}, 422, "duration"),
    ("no events", lambda: batch([]), {}, 422, "events"),
    ("too many events", lambda: batch([play(time.time() - 60) for _ in range(501)]), {}, 422, "events"),
    ("a bad event id", lambda: batch([{**play(time.time() - 60), "id": "1"}]), {}, 422, "id"),
    ("an unknown kind", lambda: batch([{**play(time.time() - 60), "kind": "click"}]), {}, 422, "kind"),
    ("the same id twice", lambda: batch([play(time.time() - 60)] * 2), {}, 422, "twice"),
    ("no token", lambda: batch([play(time.time() - 60)]), {"token": None}, 401, "token"),
    ("a forged token", lambda: batch([play(time.time() - 60)]), {"token": "sgt_" + "A" * 43}, 401, "unknown token"),
    ("not a token", lambda: batch([play(time.time() - 60)]), {"token": "hunter2"}, 401, "unknown token"),
    ("another screen's token", lambda: batch([play(time.time() - 60)]), {"token": "east-1/lobby"}, 403, "east-1/lobby"),
    ("another branch's token", lambda: batch([play(time.time() - 60)]), {"token": "west-2/door"}, 403, "west-2/door"),
    ("an unknown screen", lambda: batch([play(time.time() - 60)], "gone"), {"token": "east-1/gone"}, 404, "gone"),
    (
        "a clock an hour ahead",
        lambda: {**batch([play(time.time() + 3600)]), "sent": time.time() + 3600},
        {},
        422,
        "+3600 s off",
    ),
    ("an event in the future", lambda: batch([play(time.time() + 900)]), {}, 422, "in the future"),
    ("a play that ends ahead", lambda: batch([play(time.time(), seconds=3600)]), {}, 422, "in the future"),
    ("an event past retention", lambda: batch([play(time.time() - 91 * 86400)]), {}, 422, "older than the 90 days"),
    ("text/plain", lambda: batch([play(time.time() - 60)]), {"Content_Type": "text/plain"}, 415, "application/json"),
    ("chunked, no length", lambda: batch([play(time.time() - 60)]), {"Content_Length": ""}, 411, "Content-Length"),
]


@pytest.mark.parametrize(("what", "body", "how", "status", "said"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_clearly_and_stores_nothing(
    served: Served, what: str, body: Callable[[], Any], how: dict[str, Any], status: int, said: str
) -> None:
    token = how.pop("token", "east-1/door")
    got, answer, _ = served.post(body(), token, **how)
    assert got == status and said in answer["error"], answer
    assert served.rows() == [(0,)] and served.rows("SELECT count(*) FROM daily") == [(0,)]
    assert served.post(batch([play(time.time() - 60)]))[:2] == (200, {"stored": 1, "duplicates": 0})  # still serving


def test_a_revoked_token_is_refused_and_a_reissued_one_works(served: Served) -> None:
    db = connect(proof_db(served.output))
    assert revoke_token(db, "east-1", "door", time.time())
    status, answer, _ = served.post(batch([play(time.time() - 60)]))
    assert status == 401 and "east-1/door was revoked" in answer["error"]
    assert issue_token(db, "east-1", "lobby", time.time()) is None  # a live token is not replaced unasked
    served.tokens["east-1/door"] = issue_token(db, "east-1", "door", time.time()) or ""
    db.close()
    assert served.post(batch([play(time.time() - 60)]))[0] == 200
    assert served.rows() == [(1,)]


def test_a_flood_from_one_token_is_slowed_down_and_the_others_still_report(tmp_path: Path) -> None:
    served = Served(tmp_path / "output", Limits(rate=1, burst=5))
    try:
        answers = [served.post(batch([play(time.time() - 60)])) for _ in range(12)]
        statuses = [a[0] for a in answers]
        assert statuses[:5] == [200] * 5 and statuses.count(429) >= 6, statuses
        refused = next(a for a in answers if a[0] == 429)
        assert "too many batches" in refused[1]["error"] and int(refused[2]["Retry-After"]) >= 1
        assert served.rows() == [(statuses.count(200),)]
        assert served.post(batch([play(time.time() - 60)], "lobby"), "east-1/lobby")[0] == 200
    finally:
        served.close()


def test_serve_stays_read_only_and_never_serves_the_proof_database(served: Served) -> None:
    served.post(batch([play(time.time() - 60)]))
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    for path in ("/proof/events.sqlite", "/proof/events.sqlite-wal", "/proof/", "/publish/../proof/events.sqlite"):
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 404 and token_hash(served.tokens["east-1/door"]).encode() not in response.read()
    connection.request("POST", "/publish/east-1/v0001/version.json", body=b"{}")
    response = connection.getresponse()
    assert response.status == 405 and "read-only" in json.loads(response.read())["error"]
    connection.close()


def test_raw_events_past_retention_are_pruned_a_slice_at_a_time_and_the_daily_totals_stay(tmp_path: Path) -> None:
    db = connect(tmp_path / "proof" / "events.sqlite")
    now = time.time()
    old = [
        Event(str(uuid.uuid4()), "play", now - (10 + n) * 86400, 10.0, "slogan:a", "led/a", "v0001", "default")
        for n in range(3)
    ]
    new = Event(str(uuid.uuid4()), "play", now - 86400, 10.0, "slogan:a", "led/a", "v0001", "default")
    store_batch(db, "east-1", "door", [*old, new], now)
    assert [prune(db, now, keep_days=7, most=2) for _ in range(3)] == [2, 1, 0]  # the oldest first
    assert db.execute("SELECT id FROM events").fetchall() == [(new.id,)]
    assert db.execute("SELECT sum(plays) FROM daily").fetchall() == [(4,)]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def test_the_committed_schema_is_the_models() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema(), (
        "run `python -m signage.proof.batch --write-schema`"
    )


def test_tokens_are_issued_once_listed_and_revoked_from_the_command_line(tmp_path: Path, cli: Cli) -> None:
    root = copy_example(tmp_path / "proj")
    issued = cli("--project", str(root), "tokens", "issue", "changzhi-yingxiong/lobby")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert token.startswith("sgt_") and len(token) > 40
    assert "player.html?screen=lobby#token=TOKEN" in issued.stderr and token not in issued.stderr
    stored = sqlite3.connect(proof_db(root / "output")).execute("SELECT hash FROM tokens").fetchall()
    assert stored == [(token_hash(token),)]  # the hash, never the token
    assert token not in (root / "output" / "proof" / "events.sqlite").read_bytes().decode("latin-1")
    project = open_project(str(root))  # the rest through the use cases the commands call: one project load
    with pytest.raises(SignageError, match="already has a token: --replace"):
        tokens_app.issue(project, "changzhi-yingxiong/lobby")
    assert tokens_app.issue(project, "changzhi-yingxiong/lobby", replace=True).token != token
    with pytest.raises(SignageError, match="has no screen 'attic'"):
        tokens_app.issue(project, "changzhi-yingxiong/attic")
    with pytest.raises(SignageError, match="name a screen as BRANCH/SCREEN"):
        tokens_app.issue(project, "lobby")
    assert tokens_app.revoke(project, "changzhi-yingxiong/lobby") == ("changzhi-yingxiong", "lobby")
    with pytest.raises(SignageError, match="no live token"):
        tokens_app.revoke(project, "changzhi-yingxiong/lobby")
    listed = cli("--project", str(root), "tokens", "list")
    assert listed.stdout.startswith("changzhi-yingxiong/lobby\tissued ") and "\trevoked " in listed.stdout


SERVE = """import sys
from pathlib import Path
from signage.proof.ingest import Receiver
from signage.serve import make_server
server = make_server(Path(sys.argv[1]), "127.0.0.1", 0, Receiver(Path(sys.argv[1])))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def _serve_process(output: Path) -> tuple[subprocess.Popen[str], int]:
    """What `signage serve` runs, in a process of its own (without loading a project: quicker to start)."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(output)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    return process, int(process.stdout.readline())


def _post_status(port: int, body: bytes, token: str) -> int:
    """The status of one batch POSTed to a serve process, as a player sends it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "POST", "/api/v1/events", body, {"Content-Type": "application/json", "Authorization": "Bearer " + token}
    )
    return connection.getresponse().status


def test_serve_killed_mid_batch_keeps_each_batch_whole_or_not_at_all(tmp_path: Path) -> None:
    output = tmp_path / "output"
    screens = [f"s{n}" for n in range(4)]
    publish(output, "east-1", screens)
    db = connect(proof_db(output))
    tokens = {s: issue_token(db, "east-1", s, time.time()) or "" for s in screens}
    db.close()
    process, port = _serve_process(output)
    batches: dict[str, list[str]] = {}  # batch name -> its event ids
    acked: set[str] = set()
    unacked: list[tuple[str, str, bytes]] = []

    def client(screen: str) -> None:
        for n in range(1000):
            events = [play(time.time() - 600 + k * 0.01) for k in range(500)]
            name = f"{screen}#{n}"
            batches[name] = [e["id"] for e in events]
            body = json.dumps(batch(events, screen)).encode()
            try:
                assert _post_status(port, body, tokens[screen]) == 200
                acked.add(name)
            except (OSError, http.client.HTTPException):
                unacked.append((name, screen, body))  # the server died with it: the player sends it again
                return

    threads = [threading.Thread(target=client, args=(s,)) for s in screens]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acked) < 4 and time.monotonic() < deadline:  # a few batches stored, the next ones on their way
        time.sleep(0.02)
    process.kill()  # SIGKILL: no handler, no cleanup
    process.wait()
    for thread in threads:
        thread.join()
    assert acked and len(unacked) == len(screens)

    def stored() -> dict[str, int]:
        con = sqlite3.connect(proof_db(output))
        ids = {row[0] for row in con.execute("SELECT id FROM events")}
        plays = con.execute("SELECT coalesce(sum(plays), 0) FROM daily").fetchone()[0]
        con.close()
        assert plays == len(ids)  # the daily totals were stored with their events, in the same transaction
        return {name: sum(i in ids for i in event_ids) for name, event_ids in batches.items()}

    after_kill = stored()
    assert set(after_kill.values()) <= {0, 500}  # whole or not at all
    assert all(after_kill[name] == 500 for name in acked)
    process, port = _serve_process(output)
    try:
        for _, screen, body in unacked:  # the players' retries
            # 409: it had been stored before the kill
            assert _post_status(port, body, tokens[screen]) in (200, 409)
    finally:
        process.terminate()
        process.wait()
    assert set(stored().values()) == {500}


def test_a_fault_of_the_server_is_an_answer_and_the_next_batch_is_stored(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patch:
        patch.setattr("signage.proof.ingest.store_batch", broken)
        status, answer, _ = served.post(batch([play(time.time() - 60)]))
    assert (status, answer) == (500, {"error": "internal error: RuntimeError"})
    assert served.post(batch([play(time.time() - 60)]))[0] == 200 and served.rows() == [(1,)]
