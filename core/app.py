"""The objects one process builds from its settings, once: store, registry, calendar,
office rules, frequent questions.

Built lazily so that a forked worker process makes its own database connections.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import redis

from ventanilla.docsys.builtin import BuiltinRegistry
from ventanilla.docsys.registry import Registry
from ventanilla.routing.faq import Faq
from ventanilla.routing.offices import OfficeRules
from ventanilla.routing.terms import BusinessCalendar, OfficeHours
from ventanilla.settings import Settings, get_settings
from ventanilla.store.engine import Database


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def db(self) -> Database:
        database = Database(self.settings.store.url)
        if self.settings.store.auto_migrate:
            database.upgrade()
        return database

    @cached_property
    def registry(self) -> Registry:
        return BuiltinRegistry(
            number_format=self.settings.radicado.format,
            office_code=self.settings.office.filing_office,
            kind_digit=self.settings.radicado.kind_digit,
            timezone=self.settings.office.timezone,
        )

    @cached_property
    def calendar(self) -> BusinessCalendar:
        office = self.settings.office
        return BusinessCalendar(OfficeHours.parse(office.hours), office.timezone)

    @cached_property
    def office_rules(self) -> OfficeRules:
        offices = self.settings.offices
        return OfficeRules.build(
            offices.default,
            [rule.rule() for rule in offices.rules],
            [rule.rule() for rule in offices.competence],
        )

    @cached_property
    def faqs(self) -> tuple[Faq, ...]:
        """The frequent questions, read once (none when `faq.enabled` is false)."""
        if not self.settings.faq.enabled:
            return ()
        from ventanilla.templates import load_faqs

        return load_faqs(self.settings.faq.directory)

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.settings.queue.redis_url)

    @cached_property
    def senders(self) -> dict[str, Any]:
        """One acknowledgement sender per channel (adapters/registry.py fills it)."""
        return {}

    @property
    def attachments_dir(self) -> Path:
        return Path(self.settings.store.attachments_dir)


@lru_cache(maxsize=1)
def current_app() -> App:
    return App(get_settings())
