"""The terminal UI: colour, tables that fit the terminal, progress per phase with elapsed time (rich).

- Colour follows ``--color auto|always|never``; with ``auto`` it follows the stream: a
  terminal gets colour unless ``NO_COLOR`` is set (https://no-color.org), ``FORCE_COLOR``
  forces it on a pipe (both as rich reads them); ``always`` forces it, ``never`` never.
- What is not a terminal gets plain text: the report as :mod:`kasbah.report.text` prints it,
  no progress, no escape sequences.
- Progress goes to stderr, one bar per phase (``program``: resources registered;
  ``policies``: resources analyzed of the total; ``report``), each with its elapsed time.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from kasbah.engine.model import STACK_TYPE
from kasbah.report.model import FleetReport, StackReport
from kasbah.report.text import summary_line, where

COLOR_CHOICES = ("auto", "always", "never")


def console(color: str = "auto", stream: IO[str] | None = None) -> Console:
    """A console on ``stream`` (stdout by default) honouring ``--color`` and NO_COLOR/FORCE_COLOR."""
    file = stream if stream is not None else sys.stdout
    if color == "always":
        return Console(file=file, force_terminal=True, no_color=False, highlight=False, soft_wrap=False)
    if color == "never":
        return Console(file=file, no_color=True, highlight=False, color_system=None)
    return Console(file=file, highlight=False)


def is_rich(con: Console) -> bool:
    """Whether the console is a terminal (or forced to be one): the rich layout, else plain text."""
    return bool(con.is_terminal)


class Phases:
    """Progress of a preview, phase by phase, on stderr; does nothing when stderr is not a terminal."""

    def __init__(self, con: Console | None) -> None:
        self.enabled = con is not None and con.is_terminal
        self._lock = threading.Lock()
        self._task: TaskID | None = None
        self._progress: Progress | None = None
        if self.enabled and con is not None:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                BarColumn(bar_width=30),
                MofNCompleteColumn(),
                TextColumn("{task.fields[note]}"),
                TimeElapsedColumn(),
                console=con,
                transient=False,
            )

    def __enter__(self) -> Phases:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.finish()
        if self._progress is not None:
            self._progress.stop()

    def phase(self, name: str, total: int | None = None, note: str = "") -> None:
        """Start a phase (closing the previous one); ``total`` None: an open count."""
        if self._progress is None:
            return
        with self._lock:
            self.finish()
            self._task = self._progress.add_task(name, total=total, note=note)

    def advance(self, n: int = 1) -> None:
        if self._progress is None or self._task is None:
            return
        self._progress.advance(self._task, n)

    def count(self, completed: int, note: str = "") -> None:
        if self._progress is None or self._task is None:
            return
        self._progress.update(self._task, completed=completed, note=note)

    def finish(self) -> None:
        if self._progress is None or self._task is None:
            return
        task = self._progress.tasks[self._task]
        total = task.total if task.total is not None else task.completed
        self._progress.update(self._task, total=total, completed=total)
        self._task = None


@contextmanager
def phases(color: str, stream: IO[str] | None = None) -> Iterator[Phases]:
    con = console(color, stream if stream is not None else sys.stderr)
    with Phases(con if con.is_terminal else None) as p:
        yield p


# --------------------------------------------------------------------------------------------------
# The report in a terminal

SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "unspecified": "dim",
}


def _tree(report: StackReport) -> Tree:
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in report.resources:
        children.setdefault(r.get("parent"), []).append(r)
    roots = children.get(None, [])
    stack = next((r for r in roots if r["type"] == STACK_TYPE), None)
    tree = Tree(f"[bold]{escape(report.project)}[/] (stack [bold]{escape(report.stack)}[/])")

    def walk(node: Tree, parent: str | None) -> None:
        for r in sorted(children.get(parent, []), key=lambda x: (x["type"], x["name"])):
            src = r.get("source")
            pos = f" [dim]{escape(src['file'])}:{src['line']}[/]" if src else ""
            sub = node.add(f"[green]+[/] {escape(r['type'])} [bold]{escape(r['name'])}[/]{pos}")
            walk(sub, r["urn"])

    if stack is not None:
        walk(tree, stack["urn"])
    for r in roots:
        if r is not stack:
            tree.add(f"[green]+[/] {escape(r['type'])} [bold]{escape(r['name'])}[/]")
    return tree


def _findings(report: StackReport) -> list[Any]:
    out: list[Any] = []
    for desc, items in report.grouped():
        style = SEVERITY_STYLE.get(desc.severity, "")
        head = Text.assemble(
            (desc.enforcement.upper(), "bold red" if desc.enforcement == "mandatory" else "bold yellow"),
            " · ",
            (desc.severity, style),
            " · ",
            (f"{desc.pack}/{desc.policy}", "bold"),
            f"  ({len(items)})",
        )
        table = Table(show_header=True, header_style="bold", expand=True, box=None, pad_edge=False)
        table.add_column("resource", ratio=3, overflow="fold")
        table.add_column("created at", ratio=2, overflow="fold")
        table.add_column("detail", ratio=5, overflow="fold")
        for f in items:
            created = where(f)
            if f.related:
                created += f"\nin {f.related[0].label} at {f.related[0].position}"
            table.add_row(f.resource, created, f.detail or f.message)
        body: list[Any] = []
        if desc.description:
            body.append(Text(desc.description))
        if desc.remediation:
            body.append(Text.assemble(("Fix: ", "bold"), desc.remediation))
        if desc.references:
            body.append(Text("; ".join(desc.references), style="dim"))
        body.append(table)
        out.append(Panel(Group(*body), title=head, title_align="left", border_style=style or "white"))
    if report.suppressed:
        table = Table(title=f"Exempted ({len(report.suppressed)})", expand=True, box=None)
        table.add_column("policy", ratio=2, overflow="fold")
        table.add_column("resource", ratio=2, overflow="fold")
        table.add_column("until", no_wrap=True)
        table.add_column("reason", ratio=3, overflow="fold")
        for f in report.suppressed:
            assert f.suppression is not None
            table.add_row(f.rule, f.resource, f.suppression.expires, f.suppression.reason)
        out.append(table)
    return out


def print_report(con: Console, report: StackReport) -> None:
    con.print(_tree(report))
    counts: dict[str, int] = {}
    for r in report.resources:
        if r["type"] != STACK_TYPE:
            counts[r["type"]] = counts.get(r["type"], 0) + 1
    table = Table(title="Resources by type", expand=False, box=None)
    table.add_column("count", justify="right")
    table.add_column("type", overflow="fold")
    for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(str(n), t)
    con.print(table)
    if report.outputs:
        outs = Table(title="Outputs", expand=True, box=None)
        outs.add_column("name", no_wrap=True)
        outs.add_column("value", overflow="fold")
        import json

        for k, v in sorted(report.outputs.items()):
            outs.add_row(k, json.dumps(v))
        con.print(outs)
    con.print(f"Policy packs: {', '.join(f'{n}@{v}' for n, v in report.policy_packs) or 'none'}")
    for item in _findings(report):
        con.print(item)
    style = "bold red" if report.mandatory else "bold green"
    con.print(Text(summary_line(report), style=style))


def print_fleet(con: Console, fleet: FleetReport) -> None:
    for report in sorted(fleet.stacks, key=lambda s: s.stack):
        con.rule(f"[bold]{escape(report.stack)}")
        print_report(con, report)
    table = Table(title="Stacks", expand=False)
    for col in ("stack", "status", "resources", "mandatory", "advisory"):
        table.add_column(col, justify="right" if col in ("resources", "mandatory", "advisory") else "left")
    for report in sorted(fleet.stacks, key=lambda s: s.stack):
        status = "[red]blocked[/]" if report.mandatory else "[green]passes[/]"
        table.add_row(
            report.stack,
            status,
            str(report.resource_count),
            str(len(report.mandatory)),
            str(len(report.advisory)),
        )
    for f in fleet.failures:
        table.add_row(f.stack, f"[bold red]failed (exit {f.exit_code})[/]", "-", "-", "-")
    if len(fleet.stacks) + len(fleet.failures) > 1:
        con.print(table)
        for f in fleet.failures:
            con.print(Text(f"{f.stack}: {f.error}", style="red"))
