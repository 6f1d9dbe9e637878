"""Damage is reported, never a traceback: a full disk, a read-only data dir, a directory or
garbage where a file belongs. Real processes, real failing writes; nothing stored is lost."""

from __future__ import annotations

import ctypes
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import faiss
import pytest

from redline.memory.embedder import Embedder
from redline.memory.store import DATABASE_NAME, Store
from redline.memory.writing import WritingMemory
from tests.documents import prose

# A prefix none of the memory's words continue: `complete` has to search the index.
UNSEEN = "Zebras grazing quietly near the"


def redline(data: Path, *args: str, **popen) -> subprocess.CompletedProcess[str]:
    """`redline --data-dir DATA ARGS` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "redline", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=300,
        **popen,
    )


def paragraph(stderr: str) -> str:
    """The error as one line (rich and click may wrap it)."""
    assert "Traceback" not in stderr, stderr
    return " ".join(stderr.split())


def state(data: Path) -> tuple[int, int, str]:
    """(samples, passages, integrity) of the database, read afresh."""
    store = Store(data)
    try:
        return store.sample_count(), store.passage_state()[0], store.integrity()
    finally:
        store.close()


@pytest.fixture(scope="module")
def memory(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data dir of 120 passages (an index of about 185 KB), made once."""
    data = tmp_path_factory.mktemp("memory") / "data"
    store = Store(data)
    try:
        assert WritingMemory(store, embedder).observe(prose(120, seed=1)) == 120
    finally:
        store.close()
    return data


@pytest.fixture
def data(memory: Path, tmp_path: Path) -> Path:
    """A copy of that memory for one test."""
    return Path(shutil.copytree(memory, tmp_path / "data"))


@pytest.fixture
def note(tmp_path: Path) -> Path:
    """A note of one passage of ten words: storing it writes about 120 KB of database pages
    (the sample, its passage and the phrase counts of each word)."""
    path = tmp_path / "note.md"
    path.write_text(" ".join(prose(1, seed=2).split()[:10]) + ".", encoding="utf-8")
    return path


# -- a full disk -----------------------------------------------------------------------------

# Each way of filling the disk makes the kernel refuse a write: a size limit on every file
# the process writes (EFBIG; works as root too), or a small tmpfs of its own (ENOSPC, in a
# mount namespace of the child's, where the kernel lets an unprivileged user mount one).
SMALL_TMPFS = r"""
set -e
mount -t tmpfs -o size=8m redline-test "$DISK"
cp -a "$SOURCE" "$DISK/data"
fallocate -l $(( $(df --output=avail -B1 "$DISK" | tail -n 1) - $ROOM )) "$DISK/filler"
set +e
"$@"
status=$?
rm -rf "$SOURCE" && cp -a "$DISK/data" "$SOURCE"
exit $status
"""


def on_full_disk(
    disk: str, data: Path, room: int, *args: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run redline where only ``room`` bytes can be written; returns the process and the data
    dir as it saw it (the data is copied back to ``data`` afterwards)."""
    if disk == "file-size-limit":
        limit = (room, room)
        return redline(
            data, *args, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        ), data
    mount = data.parent / "disk"
    mount.mkdir()
    if subprocess.run(["unshare", "-rm", "mount", "-t", "tmpfs", "x", str(mount)]).returncode:
        pytest.skip("no tmpfs can be mounted here (unshare -rm mount)")
    command = [sys.executable, "-m", "redline", "--data-dir", str(mount / "data"), *args]
    env = {**os.environ, "DISK": str(mount), "SOURCE": str(data), "ROOM": str(room)}
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", SMALL_TMPFS, "sh", *command],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    return result, mount / "data"


DISKS = ["file-size-limit", "small-tmpfs"]
REFUSAL = {"file-size-limit": "File too large", "small-tmpfs": "No space left on device"}


@pytest.mark.parametrize("disk", DISKS)
def test_full_disk_while_writing_the_index(
    disk: str, data: Path, note: Path, embedder: Embedder
) -> None:
    samples, passages, _ = state(data)
    index = (data / "passages.faiss").read_bytes()
    # Room for the database's new pages (a WAL of ~120 KB and shared memory), not for the index.
    room = {"file-size-limit": 150_000, "small-tmpfs": 170_000}[disk]
    result, seen = on_full_disk(disk, data, room, "observe", str(note))
    message = paragraph(result.stderr)
    assert result.returncode == 1, message
    assert f"{seen / 'passages.faiss'}" in message and REFUSAL[disk] in message
    assert "nothing stored is lost" in message
    # The note was committed before the index failed; the old index is whole, no temp left.
    assert state(data) == (samples + 1, passages + 1, "ok")
    assert (data / "passages.faiss").read_bytes() == index
    assert sorted(p.name for p in data.iterdir()) == sorted([DATABASE_NAME, "passages.faiss"])
    store = Store(data)
    try:
        rebuilt = WritingMemory(store, embedder).index
        assert rebuilt.sync().ntotal == passages + 1 and rebuilt.rebuilds == 1
    finally:
        store.close()


@pytest.mark.parametrize("disk", DISKS)
def test_full_disk_while_writing_the_database(disk: str, data: Path, tmp_path: Path) -> None:
    before = state(data)
    big = tmp_path / "big.md"
    big.write_text(prose(60, seed=3), encoding="utf-8")  # 60 passages: ~100 KB of new pages
    room = {"file-size-limit": 48_000, "small-tmpfs": 64_000}[disk]
    result, seen = on_full_disk(disk, data, room, "observe", str(big))
    message = paragraph(result.stderr)
    assert result.returncode == 1, message
    assert str(seen / DATABASE_NAME) in message
    assert "what was stored before is kept" in message
    assert state(data) == before


# -- things in the way -----------------------------------------------------------------------


def test_directory_where_the_index_belongs(data: Path) -> None:
    before = state(data)
    index = data / "passages.faiss"
    index.unlink()
    index.mkdir()
    (index / "mine.txt").write_text("not redline's")
    result = redline(data, "complete", UNSEEN)
    message = paragraph(result.stderr)
    assert result.returncode == 1, message
    assert f"{index} is a directory" in message and f"mv {index} {index}.aside" in message
    assert (index / "mine.txt").read_text() == "not redline's"
    assert state(data) == before


@pytest.mark.parametrize("damage", ["random bytes", "cut in half"])
def test_garbage_index_is_rebuilt_and_said_so(damage: str, data: Path, note: Path) -> None:
    index = data / "passages.faiss"
    whole = index.read_bytes()
    index.write_bytes(
        random.Random(5).randbytes(5000) if damage == "random bytes" else whole[:90_000]
    )
    result = redline(data, "observe", str(note))
    assert result.returncode == 0, result.stderr
    message = paragraph(result.stderr)
    assert f"{index} was not a readable FAISS index" in message and "rebuilt" in message
    _, passages, _ = state(data)
    assert faiss.read_index(str(index)).ntotal == passages == 121


def without_root_override() -> None:
    """In the child: root's power to write past permissions dropped (nothing for a user)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0):  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_read_only_data_dir(data: Path, note: Path) -> None:
    before = state(data)
    data.chmod(0o500)
    try:
        probe = [sys.executable, "-c", f"open({str(data / 'probe')!r}, 'w')"]
        if (
            subprocess.run(probe, preexec_fn=without_root_override, capture_output=True).returncode
            == 0
        ):
            pytest.skip("this process can write to a 0500 directory")
        result = redline(data, "observe", str(note), preexec_fn=without_root_override)
    finally:
        data.chmod(0o700)
    message = paragraph(result.stderr)
    assert result.returncode == 1, message
    assert str(data) in message and "not writable" in message and f"chmod u+w {data}" in message
    assert state(data) == before


def test_garbage_database_page_is_reported(data: Path) -> None:
    database = data / DATABASE_NAME
    conn = sqlite3.connect(database)
    (root,), *_ = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'passages'")
    (page_size,), *_ = conn.execute("PRAGMA page_size")
    conn.close()
    garbage = random.Random(7).randbytes(page_size)
    with database.open("r+b") as handle:  # the passages table's first page
        handle.seek(page_size * (root - 1))
        handle.write(garbage)
    result = redline(data, "complete", UNSEEN)
    message = paragraph(result.stderr)
    assert result.returncode == 1, message
    assert f"{database} is damaged" in message and "backup" in message
    doctor = redline(data, "doctor")
    assert doctor.returncode == 0, doctor.stderr
    assert "integrity damaged" in " ".join(doctor.stdout.split())
    with database.open("rb") as handle:  # not "repaired" by dropping what it cannot read
        handle.seek(page_size * (root - 1))
        assert handle.read(page_size) == garbage


# -- what doctor checks ----------------------------------------------------------------------


def test_doctor_reads_the_index_and_checks_the_databases(data: Path) -> None:
    healthy = " ".join(redline(data, "doctor").stdout.split())
    assert "passage index checked: 120 vectors, one per passage" in healthy
    assert "integrity ok" in healthy
    index = data / "passages.faiss"
    index.write_bytes(b"garbage" * 100)
    (data / "chats.sqlite3").write_bytes(b"garbage" * 1000)
    doctor = redline(data, "doctor")
    assert doctor.returncode == 0, doctor.stderr
    out = " ".join(doctor.stdout.split())
    assert "passage index damaged: not a readable FAISS index (rebuilt from the database" in out
    assert "chats damaged" in out
    assert index.read_bytes() == b"garbage" * 100  # doctor only reads
