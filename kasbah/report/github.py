"""GitHub Actions workflow commands: one annotation per source line and policy (``--format github``).

Where code scanning is not available (a private repository without GitHub Advanced Security),
the results still show on the pull request: ``::error file=...,line=...,title=...::message``
puts an annotation on the line the program created the resource on
(https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands).
Findings of one policy on one line (a component creating several resources) are one
annotation naming them all: GitHub shows only the first annotations of each kind per step,
so mandatory findings come first.
"""

from __future__ import annotations

from kasbah.report.model import Finding, FleetReport, finding_order

COMMANDS = {"mandatory": "error", "advisory": "warning"}
MAX_NAMES = 5
"""Resources named in one annotation; the others are counted."""


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_annotations(fleet: FleetReport) -> str:
    groups: dict[tuple[str, str, int, str], list[tuple[str, Finding]]] = {}
    for report in sorted(fleet.stacks, key=lambda s: s.stack):
        for f in report.findings:
            if f.enforcement not in COMMANDS:
                continue
            file, line = (f.source.file, f.source.line) if f.source else (report.stack_file, 1)
            groups.setdefault((f.enforcement, file, line, f.rule), []).append((report.stack, f))
    lines = []
    ordered = sorted(groups.items(), key=lambda kv: (finding_order(kv[1][0][1]), kv[0][1], kv[0][2]))
    for (enforcement, file, line, rule), items in ordered:
        first = items[0][1]
        names = [f"{f.resource} ({stack})" for stack, f in items]
        shown = ", ".join(names[:MAX_NAMES]) + (
            f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else ""
        )
        body = f"{shown}: {first.detail or first.message}"
        if first.remediation:
            body += f"\nFix: {first.remediation}"
        title = f"{rule} ({first.severity})"
        props = f"file={escape_property(file)},line={line},title={escape_property(title)}"
        lines.append(f"::{COMMANDS[enforcement]} {props}::{escape_data(body)}")
    for failure in fleet.failures:
        lines.append(
            f"::error title={escape_property('kasbah preview failed')}::{escape_data(f'stack {failure.stack}: {failure.error}')}"
        )
    return "\n".join(lines) + ("\n" if lines else "")
