"""The report's charts, drawn on the server with matplotlib (Agg) as PNG data URIs.

Each chart comes with a text alternative that states every value it shows, and the page
puts the same figures in a data table beside it: the picture is never the only way in.
Figures are built without pyplot, so rendering from several web threads is safe.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ventanilla.reports.labels import Table

if TYPE_CHECKING:  # matplotlib is imported only when a chart is drawn
    from matplotlib.figure import Figure

# Ink and bars well past WCAG AA on white: #0b4f8a is 8.6:1, #1b1b1b 17:1.
BAR = "#0b4f8a"
INK = "#1b1b1b"
# The summary tables drawn as charts, and whether their bars stand or lie down (long labels).
CHARTED = {
    "por_mes": "vertical",
    "por_tipo": "horizontal",
    "por_canal": "horizontal",
    "oportunidad": "horizontal",
    "distribucion": "vertical",
}


@dataclass(frozen=True)
class Chart:
    key: str  # the summary table it draws
    title: str
    alt: str
    data_uri: str


def alt_text(table: Table) -> str:
    """'Gráfico de barras: <title>. A: 3; B: 0. Total: 3.' Every value, in order."""
    values = "; ".join(f"{label}: {value}" for label, value in table.rows)
    total = sum(value or 0 for _, value in table.rows)
    return f"Gráfico de barras: {table.title}. {values}. Total: {total}."


def _png(table: Table, orientation: str) -> bytes:
    out = io.BytesIO()
    chart_figure(table, orientation).savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def chart_figure(table: Table, orientation: str) -> Figure:
    """The bar chart of `table`; its value axis counts in whole numbers (requests)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [label for label, _ in table.rows]
    values = [value or 0 for _, value in table.rows]
    height = 0.45 * len(labels) + 1.0 if orientation == "horizontal" else 3.4
    figure = Figure(figsize=(7.5, max(height, 2.4)), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if orientation == "horizontal":
        bars = axes.barh(labels[::-1], values[::-1], color=BAR)
        axes.set_xlabel(table.unit, color=INK)
        axes.set_xlim(0, max(values + [1]) * 1.15)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        bars = axes.bar(labels, values, color=BAR)
        axes.set_ylabel(table.unit, color=INK)
        axes.set_ylim(0, max(values + [1]) * 1.15)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.bar_label(bars, padding=3, color=INK, fontsize=10)
    axes.set_title(table.title, color=INK, fontsize=12, loc="left", wrap=True)
    axes.tick_params(colors=INK, labelsize=10)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure


def charts(tables: list[Table]) -> list[Chart]:
    """The charts of the tables in `CHARTED`, in the order the tables come."""
    made = []
    for table in tables:
        orientation = CHARTED.get(table.key)
        if orientation is None or not table.rows:
            continue
        encoded = base64.b64encode(_png(table, orientation)).decode("ascii")
        made.append(
            Chart(table.key, table.title, alt_text(table), f"data:image/png;base64,{encoded}")
        )
    return made
