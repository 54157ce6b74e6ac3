"""A machine-wide "only one of us" lock: an exclusive `fcntl.flock` on a file.

Used where exactly one process of a machine (or of a data dir) may do something: write an
index folder (`search/_follow.py`), run the embedded job consumer (`web/_app.py`). The
kernel releases the lock when the process dies, so a crash never leaves it held.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


def try_lock(path: Path) -> IO[str] | None:
    """Take the lock on `path` without waiting: the open file (keep it open to keep the
    lock; `unlock` or exiting gives it back), or None if another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 (held open as long as the lock)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")  # who holds it, for an operator looking
    handle.flush()
    return handle


def unlock(handle: IO[str]) -> None:
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    handle.close()
