"""The objects one process builds from its settings, once: store, registry, calendar,
office rules, frequent questions.

Built lazily so that a forked worker process makes its own database connections.
"""

from __future__ import annotations

import threading
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis

from ventanilla.docsys.builtin import BuiltinRegistry
from ventanilla.docsys.registry import Registry
from ventanilla.routing.faq import Faq
from ventanilla.routing.offices import OfficeRules
from ventanilla.routing.terms import BusinessCalendar, OfficeHours
from ventanilla.settings import Settings, get_settings
from ventanilla.store.engine import Database

if TYPE_CHECKING:
    from ventanilla.classifier import ModelFiles
    from ventanilla.docsys.orfeo import OrfeoClient
    from ventanilla.routing.classify import Rule
    from ventanilla.routing.model import TextModel


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._models: dict[str, TextModel | None] = {}
        self._models_lock = threading.Lock()

    @cached_property
    def db(self) -> Database:
        database = Database(self.settings.store.url)
        if self.settings.store.auto_migrate:
            database.upgrade()
        return database

    @cached_property
    def registry(self) -> Registry:
        if self.settings.docsys.backend == "orfeo":
            from ventanilla.docsys.filing import RemoteRegistry

            return RemoteRegistry(backend="orfeo", timezone=self.settings.office.timezone)
        return BuiltinRegistry(
            number_format=self.settings.radicado.format,
            office_code=self.settings.office.filing_office,
            kind_digit=self.settings.radicado.kind_digit,
            timezone=self.settings.office.timezone,
        )

    @cached_property
    def orfeo(self) -> OrfeoClient:
        """The Orfeo client (docsys.backend orfeo): one connection pool per process."""
        from ventanilla.docsys.orfeo import client_from_settings

        return client_from_settings(self.settings.docsys)

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

    @cached_property
    def model_files(self) -> ModelFiles:
        from ventanilla.classifier import ModelFiles

        return ModelFiles(Path(self.settings.classifier.model_dir))

    def text_model(self, kind: str) -> TextModel | None:
        """The trained classifier of `kind` (pqrsdf, mentions), loaded once per process;
        trained first from the corpus and staff's corrections when there is none yet.

        None when it cannot be had (no corpus, a failed training): the keyword rules
        decide then, because a missing model must never stop intake. Asked once.
        """
        with self._models_lock:  # worker threads ask at once on the first batch
            if kind not in self._models:
                self._models[kind] = self._load_model(kind)
            return self._models[kind]

    def warm_classifiers(self) -> None:
        """Load (or train once) the models before taking work, so the first citizen after
        a start does not wait for a training; forked worker processes inherit them."""
        for kind in ("pqrsdf", "mentions"):
            self.text_model(kind)

    def _load_model(self, kind: str) -> TextModel | None:
        from ventanilla.logs import log
        from ventanilla.store.training import corrections

        try:
            with self.db.read() as session:
                learned = corrections(session) if kind == "pqrsdf" else []
            return self.model_files.load_or_train(kind, learned)
        except Exception as error:  # logged once; the rules carry on
            log.error("classifier_unavailable", kind=kind, error=str(error)[:200])
            return None

    @cached_property
    def classifier_rules(self) -> tuple[Rule, ...]:
        from ventanilla.routing.classify import Rule

        return tuple(
            Rule.of(rule.name, rule.type, rule.pattern) for rule in self.settings.classifier.rules
        )

    @property
    def attachments_dir(self) -> Path:
        return Path(self.settings.store.attachments_dir)


@lru_cache(maxsize=1)
def current_app() -> App:
    return App(get_settings())
