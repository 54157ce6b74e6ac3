"""The state file of a derived index (`papertide-state.json` in its folder): the `seq`
high-water mark it has caught up to, and whatever else it needs to reopen itself.

Written to a temporary name and renamed, so a crash leaves the old state or the new one,
never half of one; an unreadable file reads as empty (the index starts over).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

NAME = "papertide-state.json"


class StateFile:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / NAME

    def read(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def write(self, **state: Any) -> None:
        tmp = self.path.with_name(NAME + ".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.path)

    def unlink(self) -> None:
        self.path.unlink(missing_ok=True)
