"""The document system: where a case gets its official radicado number.

`Registry` is the interface; `builtin.BuiltinRegistry` numbers cases in our own store. An
entity with its own system (GESDOC, Orfeo) plugs in another backend; the pipeline only
calls `Registry.radicate` and `Registry.annul`.
"""

from ventanilla.docsys.registry import Filing, Registry

__all__ = ["Filing", "Registry"]
