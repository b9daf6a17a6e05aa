"""``kasbah residency``: one residency view across every cloud.

Previews every stack of the project (or those given) with the data-residency pack, runs the
pack's residency resolution and answers the question a DPO or the CNDP asks: where does each
class of data live, and where is it copied? Formats: ``text``, ``markdown`` (a table per class,
one row per store, and the transfers abroad that need a CNDP declaration), ``html`` (one
self-contained page whose inline SVG picture shows the classes against the locations, grouped by
country, each cell coloured and linked to its stores) and ``json`` (version 1, for other tools).

Exit codes as ``kasbah preview``: 0 no residency violation, 1 violations (the report is still
written), 2 bad input (an unknown stack, a bad residency configuration), 130 interrupted.

- :mod:`.collect`: previews and the resolution; :mod:`.model`: the report as data;
  :mod:`.tables`: text, Markdown, JSON; :mod:`.page`: the HTML page and its picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kasbah.errors import PreviewError

FORMATS = ("text", "markdown", "html", "json")


def render(report: Mapping[str, Any], fmt: str) -> str:
    from kasbah.residency import page
    from kasbah.residency import tables as text

    if fmt == "json":
        return text.render_json(report)
    if fmt == "markdown":
        return text.render_markdown(report)
    if fmt == "html":
        return page.render_html(report)
    return text.render_text(report)


def run_residency(stacks: Sequence[str], root_dir: str, fmt: str, output: str | None) -> int:
    """``kasbah residency [STACK]... [--format F] [--output FILE]``."""
    from kasbah.cli import check_output, write_text
    from kasbah.inventory import stacks as all_stacks
    from kasbah.residency.collect import collect
    from kasbah.residency.model import build

    root = Path(root_dir).resolve()
    check_output(output)
    known = [p.name[len("Pulumi.") : -len(".yaml")] for p in sorted((root / "stacks").glob("Pulumi.*.yaml"))]
    wanted = list(stacks) or known or all_stacks()
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise PreviewError(
            f"stack {unknown[0]!r} is not in {root / 'stacks'}. Fix: use one of {', '.join(known) or '(none)'}."
        )
    report = build(collect(root, wanted, progress=True))
    write_text(render(report, fmt), output)
    return 1 if report["summary"]["violations"] else 0
