"""The document system: where a case gets its official radicado number.

`Registry` is the interface; `builtin.BuiltinRegistry` numbers cases in our own store (the
default). `filing.RemoteRegistry` (`docsys.backend = "orfeo"`) reserves the cases and
leaves their numbers to the filing step (workers/filing.py), which asks Orfeo outside our
transaction. The pipeline calls `Registry.reserve`, `Registry.number` and `Registry.annul`.
"""

from ventanilla.docsys.registry import Filing, Registry

__all__ = ["Filing", "Registry"]
