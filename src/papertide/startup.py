"""Settings checked at the door: what every front (the CLI, `papertide serve`, the web app
factory) calls before it opens anything.

`papertide.config` checks each value on its own; what needs the rest of papertide (the
sources list needs the arXiv taxonomy) is checked here, so that the settings depend on
nothing above them.

    settings = settings_or_exit()      # a bad value: two lines on stderr, exit status 2
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from papertide.config import ENV_PREFIX, Settings, SettingsError, accepted, settings_from_env

USAGE_EXIT = 2  # as for a bad command-line option


def check_settings(settings: Settings) -> Settings:
    """The checks that need more than the value itself; a `SettingsError` on the first
    that fails."""
    from papertide.sources import SpecError, parse_sources

    try:
        parse_sources(settings.sources)
    except SpecError as exc:
        raise SettingsError(f"{ENV_PREFIX}SOURCES", repr(settings.sources), str(exc),
                            accepted("sources")) from None
    return settings


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, every value checked; `SettingsError` otherwise."""
    return check_settings(settings_from_env(**overrides))


def refuse(error: SettingsError) -> NoReturn:
    print(f"papertide: {error}", file=sys.stderr)
    raise SystemExit(USAGE_EXIT)


def settings_or_exit() -> Settings:
    """The checked settings, or the reason they are refused on stderr and exit status 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        refuse(exc)
