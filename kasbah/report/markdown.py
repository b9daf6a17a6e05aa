"""Markdown: one stack's report (``--format markdown``), the block the PR comment folds per stack.

Violations are grouped by policy: a heading with enforcement, severity and a link to the
policy's entry in POLICIES.md, the description and the fix once, then a table of the resources
it fired on with where the program created each (a link to the line when the report knows
the repository's web address: :class:`Links`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from kasbah.engine.model import STACK_TYPE, PolicyDescription, SourcePosition
from kasbah.report.model import Finding, StackReport

STATUS = {"blocked": "❌ blocked", "passes": "✅ passes", "failed": "💥 failed"}


@dataclass(frozen=True)
class Links:
    """Where source lines live on the web: ``<server>/<repository>/blob/<sha>/`` (GitHub Actions' env;
    ``KASBAH_SOURCE_SHA`` names the commit when ``GITHUB_SHA`` is not the one to link, as in a pull
    request, where it is the merge commit)."""

    blob: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Links:
        env = os.environ if env is None else env
        server, repo = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
        sha = env.get("KASBAH_SOURCE_SHA") or env.get("GITHUB_SHA")
        if server and repo and sha:
            return cls(f"{server.rstrip('/')}/{repo}/blob/{sha}/")
        return cls()

    def source(self, pos: SourcePosition | None) -> str:
        if pos is None:
            return "-"
        text = f"`{pos.file}:{pos.line}`"
        return f"[{text}]({self.blob}{pos.file}#L{pos.line})" if self.blob else text


def cell(text: str) -> str:
    """Text safe in a table cell: one line, pipes escaped, backticks turned to quotes."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("`", "'")


def policy_heading(desc: PolicyDescription, count: int) -> str:
    name = f"`{desc.pack}/{desc.policy}`"
    link = f"[{name}]({desc.url})" if desc.url else name
    icon = "❌" if desc.enforcement == "mandatory" else "⚠️"
    noun = "resource" if count == 1 else "resources"
    return f"{icon} **{desc.enforcement}** · {desc.severity} · {link} · {count} {noun}"


def findings_markdown(report: StackReport, links: Links) -> list[str]:
    """The violations grouped by policy, and the exempted findings; empty when there are none."""
    out: list[str] = []
    for desc, items in report.grouped():
        out += [policy_heading(desc, len(items)), ""]
        if desc.description:
            out.append(f"> {cell(desc.description)}<br>")
        if desc.remediation:
            out.append(f"> **Fix:** {cell(desc.remediation)}")
        if desc.references:
            out.append(f"> <sub>{cell('; '.join(desc.references))}</sub>")
        out += ["", "| resource | created at | location | detail |", "|---|---|---|---|"]
        for f in items:
            out.append(_row(f, links))
        out.append("")
    if report.suppressed:
        out += [
            f"<sub>Exempted ({len(report.suppressed)}): "
            + "; ".join(
                f"`{f.rule}` on `{cell(f.resource)}` until {f.suppression.expires} ({cell(f.suppression.reason)})"
                for f in report.suppressed
                if f.suppression
            )
            + "</sub>",
            "",
        ]
    return out


def _row(f: Finding, links: Links) -> str:
    created = links.source(f.source)
    if f.related:
        rel = f.related[0]
        created += f"<br><sub>in {cell(rel.label)} at {links.source(rel.position)}</sub>"
    place = cell(f.place.label()) if f.place else "-"
    return f"| `{cell(f.resource)}` | {created} | {place} | {cell(f.detail or f.message)} |"


def headline(report: StackReport) -> str:
    return (
        f"**{report.resource_count}** resources · **{len(report.mandatory)}** mandatory · "
        f"**{len(report.advisory)}** advisory · packs: "
        + (", ".join(f"`{p}@{v}`" for p, v in report.policy_packs) or "none")
    )


def render_markdown(report: StackReport, links: Links | None = None) -> str:
    links = links or Links()
    out = [
        f"### Kasbah preview: `{report.stack}` ({report.project}) {STATUS[report.status]}",
        "",
        headline(report),
        "",
    ]
    out += findings_markdown(report, links)
    counts = Counter(r["type"] for r in report.resources if r["type"] != STACK_TYPE)
    out += ["<details><summary>Resources by type</summary>", "", "| count | type |", "|---:|---|"]
    out += [f"| {c} | `{t}` |" for t, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    out += ["", "</details>", ""]
    return "\n".join(out)
