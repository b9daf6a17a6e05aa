"""The pull-request comment (and job summary) for a fleet of stacks, shortened to fit GitHub's limit.

It opens with one table for the run (stack, status, mandatory, advisory, resources added,
changed and removed), then folds each stack's details in ``<details>`` blocks: the violations
grouped by policy (with links to the policies and the source lines), then the changes against
the base branch. A comment body holds at most 65,536 characters; when the whole comment would
not fit, blocks are left out whole, most useful first kept (failures, then violations of
blocked stacks, then advisories, then changes), and the comment says which were left out. The
table is never cut mid-row and a ``<details>`` block is never cut open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kasbah.diff import StackDiff
from kasbah.diff import render_markdown as diff_markdown
from kasbah.report.markdown import STATUS, Links, cell, findings_markdown, headline
from kasbah.report.model import FleetReport, StackReport

MARKER = "<!-- kasbah-preview -->"
NAMED = 12
"""Left-out blocks the note names one by one; the rest are counted."""
GITHUB_COMMENT_LIMIT = 65_536
"""GitHub's limit on a comment body; measured here in UTF-8 bytes, never less than its characters."""


@dataclass(frozen=True)
class Block:
    """A piece of the comment that is kept whole or left out whole."""

    text: str
    priority: int
    """Lower is kept first."""
    name: str
    """How the omission note names it."""


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def _status(report: StackReport) -> str:
    return STATUS[report.status]


def _table(fleet: FleetReport, diffs: dict[str, StackDiff]) -> list[str]:
    rows = [
        "| stack | status | mandatory | advisory | added | changed | removed |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for s in sorted(fleet.stacks, key=lambda s: (not s.mandatory, s.stack)):
        d = diffs.get(s.stack)
        changes = (
            [str(len(d.added)), str(len(d.changed)), str(len(d.removed) + len(d.renamed))] if d else ["-"] * 3
        )
        rows.append(
            f"| [`{s.stack}`](#kasbah-{s.stack}) | {_status(s)} | {len(s.mandatory)} | {len(s.advisory)} | "
            + " | ".join(changes)
            + " |"
        )
    for f in sorted(fleet.failures, key=lambda f: f.stack):
        rows.append(f"| `{f.stack}` | {STATUS['failed']} (exit {f.exit_code}) | - | - | - | - | - |")
    return rows


def _blocks(fleet: FleetReport, diffs: dict[str, StackDiff], links: Links) -> list[Block]:
    blocks: list[Block] = []
    for f in sorted(fleet.failures, key=lambda f: f.stack):
        body = [f"<details open><summary><code>{f.stack}</code>: {STATUS['failed']}</summary>", ""]
        body += [f"`kasbah: error: {cell(f.error)}`", ""]
        if f.detail:
            body += ["```", f.detail.strip(), "```", ""]
        body += ["</details>", ""]
        blocks.append(Block("\n".join(body), 0, f"the error of `{f.stack}`"))
    for s in sorted(fleet.stacks, key=lambda s: s.stack):
        if s.findings or s.suppressed:
            opened = " open" if s.mandatory else ""
            body = [
                f'<a id="kasbah-{s.stack}"></a>',
                f"<details{opened}><summary><code>{s.stack}</code>: {_status(s)}: "
                f"{len(s.mandatory)} mandatory, {len(s.advisory)} advisory</summary>",
                "",
                headline(s),
                "",
                *findings_markdown(s, links),
                "</details>",
                "",
            ]
            blocks.append(Block("\n".join(body), 1 if s.mandatory else 2, f"the violations of `{s.stack}`"))
        d = diffs.get(s.stack)
        if d is not None and not d.empty:
            body = [
                f"<details><summary><code>{s.stack}</code>: changes against <code>{d.base_ref}</code></summary>",
                "",
                diff_markdown(d, links),
                "</details>",
                "",
            ]
            blocks.append(Block("\n".join(body), 3, f"the changes of `{s.stack}`"))
    return blocks


def render_comment(
    fleet: FleetReport,
    diffs: Sequence[StackDiff] = (),
    *,
    links: Links | None = None,
    limit: int = GITHUB_COMMENT_LIMIT,
    artifact: str = "kasbah-preview",
    marker: bool = True,
) -> str:
    """The comment for a fleet (and its diffs), at most ``limit`` bytes of UTF-8."""
    links = links or Links()
    by_stack = {d.stack: d for d in diffs}
    s = fleet.summary()
    head = [MARKER] if marker else []
    head += [
        "## Kasbah offline preview",
        "",
        f"**{s['stacks']}** stacks: ❌ {s['blocked']} blocked · 💥 {s['failed']} failed · "
        f"✅ {s['stacks'] - s['blocked'] - s['failed']} pass · **{s['resources']}** resources · "
        f"**{s['mandatory']}** mandatory · **{s['advisory']}** advisory",
        "",
    ]
    table = _table(fleet, by_stack)
    blocks = _blocks(fleet, by_stack, links)

    def note(left: list[str], rows_left: int) -> str:
        parts = []
        if rows_left:
            parts.append(f"{rows_left} rows of the table")
        parts += left[:NAMED]
        if len(left) > NAMED:
            parts.append(f"and {len(left) - NAMED} more blocks")
        if not parts:
            return ""
        return (
            f"\n_Left out to fit GitHub's comment limit: {', '.join(parts)}. "
            f"The full report is the `{artifact}` artifact of this run and its job summary._\n"
        )

    def compose(rows: list[str], kept: list[Block], left: list[str]) -> str:
        shown = [b for b in blocks if b in kept]  # in reading order: failures, then stack by stack
        body = "\n".join(head) + "\n" + "\n".join(rows) + "\n\n" + "".join(b.text for b in shown)
        return body + note(left, len(table) - len(rows))

    rows = list(table)
    kept: list[Block] = []
    left: list[str] = []
    for block in sorted(blocks, key=lambda b: b.priority):
        if size(compose(rows, [*kept, block], [*left, "x" * 80])) <= limit:
            kept.append(block)
        else:
            left.append(block.name)
    text = compose(rows, kept, left)
    while size(text) > limit and kept:  # the note grew: leave out the least useful block kept
        dropped = max(kept, key=lambda b: (b.priority, blocks.index(b)))
        kept.remove(dropped)
        left.append(dropped.name)
        text = compose(rows, kept, left)
    while size(text) > limit and len(rows) > 2:  # still too long: whole table rows, from the end
        rows.pop()
        text = compose(rows, kept, left)
    return text
