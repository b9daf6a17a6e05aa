"""The engine's entry points: preview a project (or an inline program) and run the policy packs on it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kasbah import analysis
from kasbah.engine.model import PreviewResult
from kasbah.engine.runtime import program_runner, run_program
from kasbah.engine.stackrefs import StackReferenceResolver
from kasbah.errors import PreviewError
from kasbah.project import Project, StackConfig, load_project, load_stack_config


def _progress_printer() -> Callable[[int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(count: int) -> None:
        print(f"\rkasbah: {count} resources registered...", end="", file=sys.stderr, flush=True)

    return show


def preview(
    project_dir: str | Path = ".",
    stack: str | None = None,
    *,
    config_file: str | Path | None = None,
    policy_packs: Sequence[str | Path] | None = None,
    policy_config: str | Path | Mapping[str, Any] | None = None,
    stack_outputs: str | Path | None = None,
    progress: bool = False,
) -> PreviewResult:
    """Preview a Pulumi project offline and run policy packs on it.

    ``stack`` defaults to the project's only stack, else to ``[tool.kasbah]
    default-stack`` in the project's pyproject.toml. ``policy_packs`` None
    means every pack shipped with Kasbah; ``[]`` none. ``policy_config`` None
    means ``<stackConfigDir>/<stack>.policy.json`` when it exists.
    """
    project = load_project(project_dir)
    stack = stack or default_stack(project)
    config = load_stack_config(project, stack, config_file)
    chain = [s for s in os.environ.get("KASBAH_STACK_CHAIN", "").split(",") if s]
    resolver = StackReferenceResolver(
        project, Path(stack_outputs) if stack_outputs else None, chain or [stack]
    )
    packs = analysis.load_packs(policy_packs)
    if policy_config is None:
        policy_config = project.policy_config_for(stack)
    run, sys_path = program_runner(project)
    result = run_program(
        run,
        project=project.name,
        stack=stack,
        config=config,
        sys_path=sys_path,
        cwd=project.dir if project.main.is_dir() else project.main.parent,
        stack_refs=resolver,
        progress=_progress_printer() if progress else None,
        where=f"project {project.name} (stack {stack})",
    )
    if progress and sys.stderr.isatty():
        print("", file=sys.stderr)
    analysis.analyze(result, packs, policy_config, config)
    return result


def default_stack(project: Project) -> str:
    stacks = project.stacks()
    if len(stacks) == 1:
        return stacks[0]
    pyproject = project.dir / "pyproject.toml"
    if pyproject.exists():
        import tomllib

        try:
            data = tomllib.loads(pyproject.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise PreviewError(f"{pyproject}: malformed TOML: {exc}") from None
        name = data.get("tool", {}).get("kasbah", {}).get("default-stack")
        if name:
            return str(name)
    raise PreviewError(
        f"project {project.name} has {len(stacks)} stacks ({', '.join(stacks) or 'none'}): choose one with --stack"
    )


def preview_program(
    fn: Callable[[], Any],
    *,
    config: Mapping[str, Any] | None = None,
    secret_keys: Sequence[str] = (),
    project: str = "test",
    stack: str = "test",
    policy_packs: Sequence[str | Path] | None = (),
    policy_config: str | Path | Mapping[str, Any] | None = None,
) -> PreviewResult:
    """Preview an inline program (a callable that creates resources) with the same engine."""
    cfg = StackConfig(values=dict(config or {}), secret_keys=set(secret_keys))
    packs = analysis.load_packs(policy_packs)
    result = run_program(fn, project=project, stack=stack, config=cfg, where=f"inline program {project}")
    analysis.analyze(result, packs, policy_config, cfg)
    return result
