"""The README's configuration table, written from `Settings` (run by cog: `cog -r README.md`;
`make lint` runs `cog --check README.md`, so a setting changed here and not there fails)."""

from __future__ import annotations

from pathlib import Path

from papertide.config import ENV_PREFIX, Settings, accepted


def shown_default(name: str) -> str:
    field = Settings.model_fields[name]
    extra = field.json_schema_extra
    if isinstance(extra, dict) and extra.get("shown_default"):
        return str(extra["shown_default"])
    value = field.default
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Path):
        value = value.as_posix()
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a bar would end the cell, even inside code


def markdown_table() -> str:
    lines = ["| variable | default | accepts | what it does |", "| --- | --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        cells = (f"`{ENV_PREFIX}{name.upper()}`", shown_default(name), accepted(name),
                 field.description or "")
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
