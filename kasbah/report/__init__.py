"""Preview reports, rendered from one model (:mod:`.model`), for one stack or a fleet of stacks.

Formats: ``text`` (plain; the terminal view is :mod:`kasbah.ui`), ``json`` (version 2, schema
``kasbah/schemas/preview-v2.schema.json``), ``sarif`` (GitHub code scanning), ``markdown``
(the PR comment's blocks), ``github`` (workflow annotations on source lines). Every format masks
secrets; the JSON report is deterministic (two runs of a stack write the same bytes). A JSON
report is also the input of ``kasbah render``: every other format renders from it alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from kasbah.engine.model import PreviewResult
from kasbah.report.comment import render_comment
from kasbah.report.github import render_annotations
from kasbah.report.markdown import Links, render_markdown
from kasbah.report.model import (
    SCHEMA_PATH,
    FleetReport,
    StackFailure,
    StackReport,
    from_result,
    load_document,
    read_reports,
)
from kasbah.report.sarif import render_sarif
from kasbah.report.text import render_text, summary_line

FORMATS = ("text", "json", "sarif", "markdown", "github")


def render_fleet(fleet: FleetReport, fmt: str, links: Links | None = None) -> str:
    """A fleet (one stack or many) in a format; a lone stack prints as a stack report."""
    lone = fleet.lone
    if fmt == "json":
        data = lone.to_json() if lone is not None else fleet.to_json()
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        return render_sarif(fleet) + "\n"
    if fmt == "github":
        return render_annotations(fleet)
    if fmt == "markdown":
        if lone is not None:
            return render_markdown(lone, links)
        return render_comment(fleet, links=links, limit=1 << 62, marker=False)
    if lone is not None:
        return render_text(lone)
    parts = [render_text(s) for s in sorted(fleet.stacks, key=lambda s: s.stack)]
    for f in fleet.failures:
        parts.append(f"Stack {f.stack}: the preview failed (exit {f.exit_code}): {f.error}\n")
    totals = fleet.summary()
    parts.append(
        f"{totals['stacks']} stacks ({totals['blocked']} blocked, {totals['failed']} failed): "
        f"{totals['resources']} resources, {totals['mandatory']} mandatory violation(s), "
        f"{totals['advisory']} advisory\n"
    )
    return "\n".join(parts)


def render(
    result: PreviewResult,
    fmt: str,
    *,
    stack_file: str = "",
    wire_outputs: bool = False,
    links: Links | None = None,
) -> str:
    """One preview in a format (the report model built on the way)."""
    report = from_result(result, stack_file=stack_file, wire_outputs=wire_outputs)
    return render_fleet(FleetReport([report]), fmt, links)


def schema() -> dict[str, object]:
    data: dict[str, object] = json.loads(Path(SCHEMA_PATH).read_text(encoding="utf-8"))
    return data


__all__ = [
    "FORMATS",
    "SCHEMA_PATH",
    "FleetReport",
    "Links",
    "StackFailure",
    "StackReport",
    "from_result",
    "load_document",
    "read_reports",
    "render",
    "render_comment",
    "render_fleet",
    "schema",
    "summary_line",
]
