"""The residency report as text, Markdown and JSON (the HTML page is :mod:`.page`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kasbah.residency.model import UNCLASSIFIED

HEADERS = (
    "stack",
    "store",
    "cloud",
    "account",
    "location",
    "country",
    "qualification",
    "replicas",
    "verdict",
    "legal basis",
)


def _replicas(row: Mapping[str, Any]) -> str:
    return "; ".join(
        f"{r['what']} -> {r['location']} ({r['country']}, {r['verdict']})" for r in row["replicas"]
    )


def _cells(row: Mapping[str, Any]) -> list[str]:
    return [
        row["stack"],
        f"{row['store']} {row['name']}",
        row["cloud"],
        row["account"],
        row["location"],
        row["country"],
        row["qualification"] or "-",
        _replicas(row) or "-",
        row["verdict"],
        row["basis"],
    ]


def _title(cls: str) -> str:
    return "Unclassified stores" if cls == UNCLASSIFIED else f"Class `{cls}`"


def _summary(report: Mapping[str, Any]) -> str:
    s = report["summary"]
    stacks = ", ".join(x["stack"] for x in report["stacks"])
    return (
        f"{s['stores']} data stores in {len(report['stacks'])} stacks ({stacks}): {s['violations']} in violation, "
        f"{s['advisories']} with an advisory, {s['transfers']} transfers abroad to declare to the CNDP."
    )


def render_text(report: Mapping[str, Any]) -> str:
    lines = ["Where each class of data lives, and where it is copied", "", _summary(report)]
    for cls in report["classes"]:
        rows = [r for r in report["rows"] if r["class"] == cls]
        lines += ["", f"{_title(cls).replace('`', '')} ({len(rows)})"]
        if not rows:
            lines.append("  (no store)")
        else:
            lines.append("  " + " | ".join(HEADERS))
        for row in rows:
            lines.append("  " + " | ".join(_cells(row)))
    lines += [
        "",
        f"Transfers abroad that need a CNDP declaration (Law 09-08, art. 43-44): {len(report['transfers'])}",
    ]
    lines += [
        f"  {t['stack']} | {t['urn']} | {t['what']} -> {t['location']} ({t['country']})"
        for t in report["transfers"]
    ] or ["  (none)"]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return out


def render_markdown(report: Mapping[str, Any]) -> str:
    lines = ["## Data residency: where each class of data lives", "", _summary(report)]
    for cls in report["classes"]:
        rows = [r for r in report["rows"] if r["class"] == cls]
        lines += ["", f"### {_title(cls)} ({len(rows)})", ""]
        lines += _table(HEADERS, [_cells(r) for r in rows]) if rows else ["No store."]
    lines += ["", "### Transfers abroad to declare to the CNDP (Law 09-08, art. 43-44)", ""]
    transfers = [[t["stack"], t["urn"], t["what"], t["location"], t["country"]] for t in report["transfers"]]
    lines += _table(("stack", "store", "what", "location", "country"), transfers) if transfers else ["None."]
    return "\n".join(lines) + "\n"


def render_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=True) + "\n"
