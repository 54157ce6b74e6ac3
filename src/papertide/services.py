"""The composition root: builds each part of papertide from the settings and hands every
part the narrow things it uses (a catalog, a search service, a reader store, a mailer…).

Only the fronts — the web app, the CLI, the job workers and the benchmarks — import this
module; no domain package does (`make lint` checks it). Each front opens one `Services`
and calls the same objects through it, so there is one code path per feature whatever
the front. Parts are built on first use: a command that never mails loads no mail stack.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from papertide.catalog import Catalog, open_catalog
from papertide.config import Settings
from papertide.options import LimitName
from papertide.search import SearchService

if TYPE_CHECKING:  # imported when first built: a command that never mails loads no mail stack
    from papertide.digest import Digests
    from papertide.intake import Intake
    from papertide.library import Library
    from papertide.mail import Mailer
    from papertide.ratelimit import RateLimits
    from papertide.readers import AccountMails, Readers

__all__ = ["Services", "open_services"]


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
    def intake(self) -> Intake:
        from papertide.intake import Intake

        return Intake(self.settings, self.catalog, self.search)

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

        return Library(self.catalog, self.search, self.settings.search_mode)

    @cached_property
    def mailer(self) -> Mailer:
        from papertide.mail import Mailer

        return Mailer(self.settings)

    @cached_property
    def account_mails(self) -> AccountMails:
        from papertide.readers import AccountMails

        def allow(address: str, budget: LimitName) -> bool:
            # The limits count a hash of the address: the table of windows holds no address.
            key = "mail:" + hashlib.sha256(address.encode()).hexdigest()[:32]
            return self.limits.hit(budget, key) is None

        return AccountMails(self.readers, self.mailer.send, allow)

    @cached_property
    def digests(self) -> Digests:
        from papertide.digest import Digests

        return Digests(self.settings, self.catalog, self.search, self.readers, self.library,
                       self.mailer)


def open_services(settings: Settings | None = None) -> Services:
    return Services(settings or Settings())
