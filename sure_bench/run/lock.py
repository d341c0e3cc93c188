"""Run locks: a cell being trained holds an OS lock on `<work folder>/lock`, so a second run of the same
cell (another terminal, a resubmitted array job) does not train it too.

The lock is `flock` on the file, so the operating system releases it when the holder exits or dies
(`kill -9` included): a lock whose process is gone is simply free, and the next run takes it and
resumes from the cell's checkpoint. The file also names its holder (host, pid, since when) for the
message the second run prints and for `sure-bench status`.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path


class CellBusy(RuntimeError):
    """Another process holds this cell's lock."""


def holder(work: Path) -> dict | None:
    """Who holds the lock of the cell whose work folder is `work`, or None when no live process does.
    On this host the named pid is checked; a holder on another host is probed with a shared lock."""
    path = Path(work) / "lock"
    try:
        who = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return None
    if not who:
        return None  # released cleanly
    if who.get("host") == socket.gethostname():
        try:
            os.kill(int(who["pid"]), 0)
        except (ProcessLookupError, ValueError, KeyError):
            return None  # its holder died (kill -9): the lock is free
        except PermissionError:
            pass
        return who
    with path.open("r") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return who
        fcntl.flock(f, fcntl.LOCK_UN)
    return None


def describe(who: dict) -> str:
    return f"pid {who.get('pid')} on {who.get('host')} since {who.get('since')}"


class CellLock:
    """`with CellLock(work):` holds the cell's lock for the block; raises CellBusy naming the holder."""

    def __init__(self, work: Path):
        self.path = Path(work) / "lock"
        self.file = None

    def __enter__(self) -> "CellLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = self.path.open("a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            who = holder(self.path.parent) or {"pid": "?", "host": "?", "since": "?"}
            raise CellBusy(f"{self.path.parent} is being trained by {describe(who)}") from None
        f.seek(0)
        f.truncate()
        f.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                            "since": time.strftime("%Y-%m-%dT%H:%M:%S")}))
        f.flush()
        self.file = f
        return self

    def __exit__(self, *exc) -> None:
        if self.file is not None:
            self.file.seek(0)
            self.file.truncate()  # no holder named once released (the file stays: unlinking races)
            self.file.flush()
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None
