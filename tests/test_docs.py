"""The README stays true: every setting is in the configuration table, and every CLI
command — sub-apps' commands too (`readers add`, `library export`, …) — and every option of
each command is in the README's CLI section, beside its own command. Commands and options
are read from the Typer app itself, so a new one fails here by name until it is documented.

"Beside its own command" means in a line of the section's examples that runs it
(`papertide library list … --tag`), or in a paragraph or table row that names it
(`` `readers add` without `--confirmed` ``): an option another command documents does not
count for this one."""

import re
from pathlib import Path

import pytest
import typer.main

from papertide.cli import app
from papertide.config import Settings

README = (Path(__file__).parent.parent / "README.md").read_text()


def _section(text: str, heading: str) -> str:
    """The README's `## heading` section, subsections included."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def _passages(section: str) -> list[str]:
    """The section cut where a reader would look for a command's options: each line of an
    example block, each table row, each paragraph (its lines joined)."""
    passages, paragraph, in_code = [], [], False
    for line in section.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code or line.startswith("|"):
            passages.append(line)
            continue
        if not line.strip() or line.startswith(("```", "#")):
            if paragraph:
                passages.append(" ".join(paragraph))
            paragraph = []
        else:
            paragraph.append(line.strip())
    if paragraph:
        passages.append(" ".join(paragraph))
    return passages


def _commands(group, prefix: str = ""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a sub-app: `readers`, `library`, …
            yield from _commands(command, prefix + name + " ")
        else:
            yield prefix + name, command


CLI = _section(README, "CLI")
PASSAGES = _passages(CLI)
COMMANDS = dict(_commands(typer.main.get_command(app)))
# Every long option, the `--no-…` side of a flag included; `--help` is every command's.
OPTIONS = sorted((name, opt) for name, command in COMMANDS.items() for param in command.params
                 for opt in (*param.opts, *param.secondary_opts)
                 if opt.startswith("--") and opt != "--help")


def _names(passage: str, command: str) -> bool:
    """Does `passage` run or name `command` (not a longer command it is the start of, nor
    a sub-app's command it is the end of)?"""
    word = re.escape(command) + r"(?![\w-])"
    return bool(re.search(r"papertide " + word, passage) or re.search(r"`" + word, passage))


def _mentions(passage: str, option: str) -> bool:
    return bool(re.search(r"(?<![\w-])" + re.escape(option) + r"(?![\w-])", passage))


def test_there_are_commands_and_options_to_document():
    assert {"search", "serve", "readers add", "library export", "digest run"} <= COMMANDS.keys()
    assert ("library export", "--format") in OPTIONS and ("index", "--no-embed") in OPTIONS


def test_an_option_documented_for_another_command_does_not_count():
    assert _names("papertide library export ada@example.org --format bibtex", "library export")
    assert not _names("papertide library export ada@example.org", "export")
    assert not _names("papertide readers list --json", "readers add")
    assert _names("`readers add` without `--confirmed` sends", "readers add")
    assert not _mentions("papertide index --no-embed", "--embed")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_setting_is_in_the_config_table(name):
    assert f"| `PAPERTIDE_{name.upper()}` |" in README, (
        f"PAPERTIDE_{name.upper()} is not documented"
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_is_in_the_cli_section(command):
    assert any(_names(p, command) for p in PASSAGES if p.startswith("papertide ")), \
        f"`papertide {command}` has no example in the README's CLI section"


@pytest.mark.parametrize("command,option", OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_option_is_in_the_cli_section_beside_its_command(command, option):
    assert any(_names(p, command) and _mentions(p, option) for p in PASSAGES), \
        f"{option} of `papertide {command}` is not documented in the README's CLI section"
