"""The README stays true: every setting and every CLI command and option is documented."""

import re
from pathlib import Path

import typer.main

from papertide.cli import app
from papertide.config import Settings

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_setting_is_in_the_config_table():
    for name in Settings.model_fields:
        assert f"`PAPERTIDE_{name.upper()}`" in README, f"PAPERTIDE_{name.upper()} is not documented"


def _commands(group, prefix=""):
    for name, command in getattr(group, "commands", {}).items():
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + name + " ")
        else:
            yield prefix + name, command


def test_every_cli_command_and_option_is_in_the_readme():
    click_app = typer.main.get_command(app)
    commands = list(_commands(click_app))
    assert commands
    for name, command in commands:
        assert f"papertide {name}" in README, f"`papertide {name}` is not documented"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert re.search(re.escape(opt) + r"\b", README), f"{opt} of `papertide {name}` is not documented"
