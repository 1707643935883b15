"""The journey report for people: rich tables in the terminal, a self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from rich.console import Console
from rich.table import Table

TEMPLATE = Path(__file__).parent / "report.html"
EVIDENCE_COLUMNS = {"confirmed": "confirmed", "stated": "stated", "no evidence": "none"}
"""The funnel's evidence columns: heading → key of a step's ``by_evidence``."""


def sections(figures: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report as ``(title, columns, rows)`` tables, shared by the terminal and HTML."""
    recovery, csat, support = figures["recovery"], figures["satisfaction"], figures["support"]
    return [
        ("Funnel", ["stage", "customers", "conversion", "median hours", *EVIDENCE_COLUMNS],
         [[s["stage"], str(s["customers"]), _pct(s["conversion"]), _num(s["median_hours"]),
           *(str(s["by_evidence"].get(key, 0)) for key in EVIDENCE_COLUMNS.values())]
          for s in figures["funnel"]]),
        (f"Drop-off (silent {figures['drop_off']['silent_days']} days)", ["stage", "customers"],
         [[d["stage"], str(d["customers"])] for d in figures["drop_off"]["stages"]]),
        ("Stalled-purchase recovery", ["measure", "value"],
         [["carts stalled", str(recovery["carts_stalled"])],
          ["reminders sent", str(recovery["reminders_sent"])],
          ["orders recovered", str(recovery["orders_recovered"])],
          ["recovery rate", _pct(recovery["recovery_rate"])],
          *[[f"recovered revenue ({cur or '?'})", total]
            for cur, total in recovery["recovered_revenue"].items()]]),
        ("Satisfaction", ["measure", "value"],
         [["answered", str(csat["answered"])], ["CSAT (4–5)", _pct(csat["csat"])],
          *[[f"score {k}", str(v)] for k, v in csat["scores"].items()],
          ["invited to review", str(csat["invited"])], ["clicked", str(csat["clicked"])],
          ["reviewed", str(csat["reviewed"])]]),
        ("Support", ["measure", "value"],
         [["conversations", str(support["conversations"])],
          ["handed to a person", str(support["handoffs"])],
          ["escalation rate", _pct(support["escalation_rate"])],
          ["median first reply (s)", _num(support["median_first_reply_seconds"])],
          *[[f"claimed by {a}", str(n)] for a, n in support["conversations_per_agent"].items()]]),
        ("Top questions", ["intent", "messages"],
         [[i, str(n)] for i, n in figures["content"]["top_questions"]]),
        ("Not understood", ["message", "times"],
         [[m, str(n)] for m, n in figures["content"]["unrecognised"]]),
        ("Emotion by stage", ["stage", "sentiment", "messages"],
         [[e["stage"], _num(e["sentiment"]), str(e["messages"])] for e in figures["emotion"]]),
    ]  # fmt: skip


def print_report(figures: dict[str, Any], console: Console) -> None:
    """Print every section as a table."""
    period = figures["period"]
    console.print(f"[bold]Journey report[/bold] {period['since'][:10]} – {period['until'][:10]}")
    for title, names, rows in sections(figures):
        table = Table(*names, title=title, title_justify="left")
        for row in rows:
            table.add_row(*row)
        console.print(table)


def write_html(figures: dict[str, Any], path: str) -> None:
    """The same tables as one HTML file with its styles inside (every value escaped)."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        period=figures["period"], sections=sections(figures)
    )
    Path(path).write_text(html, encoding="utf-8")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
