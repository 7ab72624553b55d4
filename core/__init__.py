"""ventanilla: every citizen message filed as a PQRSDF case with a radicado and acknowledged.

This package holds what every layer shares: settings, errors, the inbound message type and
logging. The folders of the data flow (adapters, routing, workers, docsys, store, web, cli)
are mapped under it as `ventanilla.<folder>`.
"""

__version__ = "0.1.0"
