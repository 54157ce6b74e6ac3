"""One handle on everything a front end needs: settings, catalog, search, readers, libraries,
digests, rate limits.

The web app, the CLI and the job workers each open one `Services` and call the same
functions through it, so there is one code path per feature whatever the front.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from papertide.catalog import Catalog, open_catalog
from papertide.config import Settings
from papertide.search import SearchService

if TYPE_CHECKING:  # imported when first used: digests load the mail stack
    from papertide.digest import Digests
    from papertide.library import Library
    from papertide.ratelimit import RateLimits
    from papertide.readers import Readers


@dataclass
class Services:
    settings: Settings

    @cached_property
    def catalog(self) -> Catalog:
        return open_catalog(self.settings)

    @cached_property
    def search(self) -> SearchService:
        return SearchService(self.settings, self.catalog)

    @cached_property
    def readers(self) -> Readers:
        from papertide.readers import Readers

        return Readers(self.catalog.engine, self.settings)

    @cached_property
    def limits(self) -> RateLimits:
        from papertide.ratelimit import RateLimits

        return RateLimits(self.settings, self.catalog.engine)

    @cached_property
    def library(self) -> Library:
        from papertide.library import Library

        return Library(self)

    @cached_property
    def digests(self) -> Digests:
        from papertide.digest import Digests

        return Digests(self)


def open_services(settings: Settings | None = None) -> Services:
    return Services(settings or Settings())
