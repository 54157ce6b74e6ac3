"""The state file of a derived index (`papertide-state.json` in its folder): the `seq`
high-water mark it has caught up to, and whatever else it needs to reopen itself.

Written to a temporary name and renamed, so a crash leaves the old state or the new one,
never half of one; an unreadable file reads as empty (the index starts over). Every search
asks for the mark (it keys the kept rankings), so a read costs one `stat` while the file
is the one read last (a rename gives it a new inode).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

NAME = "papertide-state.json"


class StateFile:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / NAME
        self._last: tuple[tuple[int, int, int], dict[str, Any]] | None = None

    def read(self) -> dict[str, Any]:
        """The state (a copy of its top level: callers change what they read)."""
        try:
            info = os.stat(self.path)
            stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
            last = self._last
            if last is not None and last[0] == stamp:
                return {k: copy.copy(v) for k, v in last[1].items()}
            state = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(state, dict):
            return {}
        self._last = (stamp, state)
        return {k: copy.copy(v) for k, v in state.items()}

    def write(self, **state: Any) -> None:
        tmp = self.path.with_name(NAME + ".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.path)

    def unlink(self) -> None:
        self.path.unlink(missing_ok=True)
