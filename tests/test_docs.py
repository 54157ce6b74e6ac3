"""The README stays true: every setting, every CLI command and option, is documented —
each missing one is its own failure, named after what is missing."""

import re
from pathlib import Path

import pytest
import typer.main

from papertide.cli import app
from papertide.config import Settings

README = (Path(__file__).parent.parent / "README.md").read_text()


def _commands(group, prefix=""):
    for name, command in getattr(group, "commands", {}).items():
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + name + " ")
        else:
            yield prefix + name, command


COMMANDS = dict(_commands(typer.main.get_command(app)))
OPTIONS = [(name, opt) for name, command in COMMANDS.items() for param in command.params
           for opt in param.opts if opt.startswith("--") and opt != "--help"]


def test_there_are_commands_to_document():
    assert "search" in COMMANDS and "serve" in COMMANDS


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_setting_is_in_the_config_table(name):
    assert f"| `PAPERTIDE_{name.upper()}` |" in README, (
        f"PAPERTIDE_{name.upper()} is not documented"
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_is_in_the_readme(command):
    assert f"papertide {command}" in README, f"`papertide {command}` is not documented"


@pytest.mark.parametrize("command,option", OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_option_is_in_the_readme(command, option):
    # The option shown in an example of its own command, or in the prose beside it.
    assert re.search(re.escape(option) + r"\b", README), \
        f"{option} of `papertide {command}` is not documented"
