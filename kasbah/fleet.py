"""Running ``kasbah preview`` for one stack or a whole fleet, and rendering saved reports.

``kasbah preview --all`` previews every stack of a project in parallel processes (default:
one per core), each stack in a fresh interpreter (as ``kasbah diff`` does: no module state
carries over), and writes one combined report: every format renders from the fleet. A stack
that fails is one entry of the report's ``failures`` (its one-line error) and the exit code is
2; otherwise 1 when any stack has mandatory violations, else 0. ``--shard K/N`` previews the
K-th of N shares of the stacks (round robin over the sorted names), for a CI matrix whose
shards' JSON reports ``kasbah render`` merges into one comment.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kasbah import ui
from kasbah.errors import PreviewError
from kasbah.report import (
    FleetReport,
    Links,
    StackFailure,
    StackReport,
    from_result,
    load_document,
    read_reports,
    render_comment,
    render_fleet,
)

if TYPE_CHECKING:
    from kasbah.cli import PreviewOptions, Target
    from kasbah.diff import StackDiff


def stack_file_label(project_dir: str | Path, stack: str, config_file: str | None) -> str:
    """The stack's config file relative to the repository root (what SARIF and annotations name)."""
    from kasbah.engine.sources import repository_root
    from kasbah.project import load_project

    proj = load_project(project_dir)
    path = Path(config_file).resolve() if config_file else proj.stack_file(stack).resolve()
    try:
        return path.relative_to(repository_root(proj.dir)).as_posix()
    except ValueError:
        return path.name


def emit(
    fleet: FleetReport,
    targets: Sequence[Target],
    color: str,
    *,
    comment_limit: int | None = None,
    diffs: Sequence[StackDiff] = (),
) -> None:
    """Render every target from the same fleet, then write them (a failed render writes nothing)."""
    from kasbah.cli import write_text

    links = Links.from_env()
    rendered: list[tuple[Target, str | None]] = []
    for t in targets:
        if t.format == "comment":
            from kasbah.report.comment import GITHUB_COMMENT_LIMIT

            limit = comment_limit or GITHUB_COMMENT_LIMIT
            rendered.append((t, render_comment(fleet, diffs, links=links, limit=limit)))
        elif t.format == "text" and t.output is None and ui.is_rich(ui.console(color)):
            rendered.append((t, None))  # the terminal view, printed below
        else:
            rendered.append((t, render_fleet(fleet, t.format, links)))
    for t, text in rendered:
        if text is None:
            con = ui.console(color)
            if fleet.lone is not None:
                ui.print_report(con, fleet.lone)
            else:
                ui.print_fleet(con, fleet)
        else:
            write_text(text, t.output)


def _warn(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"kasbah: warning: {note}", file=sys.stderr)


def preview_one(opts: PreviewOptions, targets: Sequence[Target], *, wire_outputs: bool = False) -> int:
    from kasbah import engine

    stderr = ui.console(opts.color, sys.stderr)
    with ui.Phases(stderr if stderr.is_terminal else None) as phases:
        result = engine.preview(opts.project_dir, opts.stack, progress=phases, **opts.engine_kwargs())
        phases.phase("report", len(targets), ", ".join(t.format for t in targets))
        report = from_result(
            result,
            stack_file=stack_file_label(opts.project_dir, result.stack, opts.config_file),
            wire_outputs=wire_outputs,
        )
        phases.advance(len(targets))
    _warn(result.warnings)
    emit(FleetReport([report]), targets, opts.color)
    return 1 if report.mandatory else 0


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise PreviewError(f"--shard {text!r}: expected K/N with 1 <= K <= N (for example 2/4)")
    return int(match.group(1)), int(match.group(2))


def select_stacks(stacks: Sequence[str], shard: tuple[int, int] | None) -> list[str]:
    ordered = sorted(stacks)
    if shard is None:
        return ordered
    k, n = shard
    return [s for i, s in enumerate(ordered) if i % n == k - 1]


def _preview_worker(project_dir: str, stack: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """One stack's preview in a fresh process: its JSON report, or its failure."""
    import logging

    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    from kasbah import engine

    try:
        result = engine.preview(project_dir, stack, **kwargs)
        report = from_result(result, stack_file=stack_file_label(project_dir, stack, None))
        return {"stack": stack, "report": report.to_json(), "warnings": list(result.warnings)}
    except PreviewError as err:
        return {
            "stack": stack,
            "failure": {"error": err.message, "detail": err.detail, "exit_code": err.exit_code},
        }


def preview_all(
    opts: PreviewOptions, targets: Sequence[Target], *, jobs: int | None = None, shard: str | None = None
) -> int:
    from kasbah.project import load_project

    project = load_project(opts.project_dir)
    stacks = select_stacks(project.stacks(), parse_shard(shard))
    if not stacks:
        raise PreviewError(
            f"project {project.name} has no stack to preview{' in this shard' if shard else ''}"
        )
    kwargs = opts.engine_kwargs()
    workers = max(1, min(jobs or os.cpu_count() or 1, len(stacks)))
    reports: list[StackReport] = []
    failures: list[StackFailure] = []
    warnings: list[str] = []
    stderr = ui.console(opts.color, sys.stderr)
    ctx = multiprocessing.get_context("spawn")
    with (
        ui.Phases(stderr if stderr.is_terminal else None) as phases,
        ProcessPoolExecutor(max_workers=workers, mp_context=ctx, max_tasks_per_child=1) as pool,
    ):
        phases.phase("stacks", len(stacks), f"{workers} in parallel")
        pending: set[Future[dict[str, Any]]] = {
            pool.submit(_preview_worker, str(project.dir), s, kwargs) for s in stacks
        }
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    out = fut.result()
                    if "failure" in out:
                        f = out["failure"]
                        failures.append(
                            StackFailure(out["stack"], f["error"], f["detail"] or "", f["exit_code"])
                        )
                    else:
                        reports.extend(load_document(out["report"], out["stack"]).stacks)
                        warnings += [f"{out['stack']}: {w}" for w in out["warnings"]]
                    phases.advance()
        except BaseException:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        phases.phase("report", len(targets))
        fleet = FleetReport(
            sorted(reports, key=lambda r: r.stack), sorted(failures, key=lambda f: f.stack), whole=True
        )
    _warn(warnings)
    for f in fleet.failures:
        print(f"kasbah: error: stack {f.stack}: {f.error}", file=sys.stderr)
    emit(fleet, targets, opts.color)
    return fleet.exit_code


def render_saved(
    reports: Sequence[str],
    diffs: Sequence[str],
    targets: Sequence[Target],
    color: str,
    max_chars: int | None,
    exit_code: bool,
) -> int:
    from kasbah.diff import read_diffs

    fleet = read_reports(reports)
    emit(fleet, targets, color, comment_limit=max_chars, diffs=read_diffs(diffs))
    return fleet.exit_code if exit_code else 0
