"""The engine's entry points: preview a project (or an inline program) and run the policy packs on it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from kasbah import analysis
from kasbah.engine import environments
from kasbah.engine.context import organization
from kasbah.engine.context import stack_tags as context_stack_tags
from kasbah.engine.guards import DEFAULT_TIMEOUT, Deadline, RunTimeout
from kasbah.engine.model import SECRET_SIG, SECRET_SIG_KEY, PreviewResult, secret_plaintexts
from kasbah.engine.runtime import program_entry, program_runner, run_program, run_program_in_child
from kasbah.engine.sources import repository_root
from kasbah.engine.stackrefs import StackReferenceResolver
from kasbah.errors import PreviewError
from kasbah.project import SECRET_PLACEHOLDER, Project, StackConfig, load_project, load_stack_config

PolicyConfigArg = analysis.PolicyConfigSource | Sequence[analysis.PolicyConfigSource]


class ProgressSink(Protocol):
    """Where a preview reports its progress, phase by phase (``kasbah.ui.Phases``)."""

    def phase(self, name: str, total: int | None = None, note: str = "") -> None: ...

    def count(self, completed: int, note: str = "") -> None: ...

    def advance(self, n: int = 1) -> None: ...


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
    policy_config: PolicyConfigArg = None,
    stack_outputs: str | Path | None = None,
    progress: bool | ProgressSink = False,
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_remote_components: bool = False,
    unknown_invokes: bool = False,
    stack_tags: Mapping[str, str] | None = None,
    computed_outputs: str = analysis.COMPUTED_DEFAULT,
) -> PreviewResult:
    """Preview a Pulumi project offline and run policy packs on it.

    ``progress``: a :class:`ProgressSink` told of each phase (program, policies), or True for a
    one-line count of registered resources on stderr when it is a terminal.

    ``stack`` defaults to the project's only stack, else to ``[tool.kasbah]
    default-stack`` in the project's pyproject.toml. ``policy_packs`` None
    means every pack shipped with Kasbah; ``[]`` none. ``policy_config``: one
    source for every pack, or a list with one source per pack (the CLI's
    ``--policy-pack-config``, in order); None means, per pack,
    ``<stackConfigDir>/<stack>.<pack>.policy.json`` else ``<stack>.policy.json``.
    ``timeout`` bounds the program and the policies together (seconds; None: no limit).

    The program runs in the project's environment (:mod:`kasbah.engine.environments`): in Kasbah's
    own process when that environment is Kasbah's or compatible with it, else in a child process of
    the project's interpreter (``result.environment`` says which ran); creating that environment,
    when it is missing, is not counted in ``timeout``. ``unknown_invokes``: an invoke with no canned
    answer returns unknown values (and an advisory names it) instead of failing.
    """
    project = load_project(project_dir)
    stack = stack or default_stack(project)
    config = load_stack_config(project, stack, config_file)
    where = f"project {project.name} (stack {stack})"
    plan = environments.plan(project)
    if plan.action is environments.Action.CREATE:
        plan = environments.create(project, plan, say=_say if progress else None)
    deadline = Deadline(timeout)
    with deadline.armed():
        chain = [s for s in os.environ.get("KASBAH_STACK_CHAIN", "").split(",") if s]
        resolver = StackReferenceResolver(
            project, Path(stack_outputs) if stack_outputs else None, chain or [stack]
        )
        packs = analysis.load_packs(policy_packs)
        if policy_config is None:
            policy_config = [project.policy_config_for(stack, p.name) for p in packs]
        sink = progress if not isinstance(progress, bool) else None
        counter: Callable[[int], None] | None = None
        if sink is not None:
            sink.phase("program", None, f"{project.name} ({stack})")
            counter = sink.count
        elif progress:
            counter = _progress_printer()
        common: dict[str, Any] = {
            "project": project.name,
            "stack": stack,
            "config": config,
            "stack_refs": resolver,
            "progress": counter,
            "where": where,
            "allow_remote_components": allow_remote_components,
            "unknown_invokes": unknown_invokes,
            "deadline": deadline,
        }
        cwd = project.dir if project.main.is_dir() else project.main.parent
        if plan.action is environments.Action.IN_PROCESS:
            run, sys_path = program_runner(project)
            result = run_program(
                run, sys_path=sys_path, cwd=cwd, source_root=repository_root(project.dir), **common
            )
        else:
            python = plan.python
            assert python is not None
            result = run_program_in_child(
                python, program_entry(project), venv=plan.venv, cwd=cwd, root=project.dir, **common
            )
        result.environment = plan.description
        result.warnings.extend(plan.notes)
        if progress is True and sys.stderr.isatty():
            print("", file=sys.stderr)
        if sink is not None:
            sink.phase(
                "policies", sum(1 for r in result.resources if not r.read), ", ".join(p.name for p in packs)
            )
        context = analysis.StackContext(
            project.name, stack, organization(config), config, context_stack_tags(project, config, stack_tags)
        )
        _analyze(
            result,
            packs,
            policy_config,
            config,
            context,
            deadline,
            computed_outputs,
            on_resource=sink.advance if sink is not None else None,
        )
    return result


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _analyze(
    result: PreviewResult,
    packs: Sequence[analysis.LoadedPack],
    policy_config: PolicyConfigArg,
    config: StackConfig,
    context: analysis.StackContext,
    deadline: Deadline,
    computed_outputs: str = analysis.COMPUTED_DEFAULT,
    on_resource: Callable[[int], None] | None = None,
) -> None:
    result.secrets = frozenset(collect_secrets(result))
    deadline.phase = lambda: "the policy analysis"
    deadline.detail = lambda: next(
        (
            f"; it was running {w.removeprefix('interrupted in ')}"
            for w in result.warnings
            if w.startswith("interrupted in")
        ),
        f" (packs: {', '.join(p.name for p in packs)})",
    )
    try:
        analysis.analyze(result, packs, policy_config, config, context, computed_outputs, on_resource)
    except RunTimeout:
        raise PreviewError(deadline.message()) from None
    analysis.remote_component_advisories(result)
    analysis.unknown_invoke_advisories(result)


def collect_secrets(result: PreviewResult) -> set[str]:
    """Plaintexts of every value marked secret: ``Output.secret``, ``additionalSecretOutputs``,
    secret outputs (``secure:`` config values never have a plaintext offline)."""
    found: set[str] = set()
    declared: set[str] = set()
    published: set[str] = set()
    for res in result.resources:
        secret_plaintexts(res.wire, found)
        if res.outputs:
            secret_plaintexts(res.outputs, found)
        for key in res.secret_paths:
            if key in res.wire:
                secret_plaintexts({SECRET_SIG_KEY: SECRET_SIG, "value": res.wire[key]}, declared)
        _plain_texts({k: v for k, v in res.wire.items() if k not in res.secret_paths}, published)
    secret_plaintexts(result.wire_outputs, found)
    # A provider may declare an output secret that only repeats plain inputs (pulumi-gcp's
    # ``effectiveLabels`` repeat ``labels`` and the provider's ``defaultLabels``, plus its constant
    # ``goog-pulumi-provisioned: "true"``): a text sent in the clear, or a boolean word, is not a secret.
    found |= declared - published - {"true", "false"}
    found.discard(SECRET_PLACEHOLDER)
    return found


def _plain_texts(value: object, into: set[str]) -> None:
    """Every leaf text of a wire value outside secrets (what the program sent in the clear)."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return
        for v in value.values():
            _plain_texts(v, into)
    elif isinstance(value, list):
        for v in value:
            _plain_texts(v, into)
    elif isinstance(value, str):
        into.add(value)


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
    policy_config: PolicyConfigArg = None,
    timeout: float | None = None,
    allow_remote_components: bool = False,
    stack_tags: Mapping[str, str] | None = None,
    computed_outputs: str = analysis.COMPUTED_DEFAULT,
) -> PreviewResult:
    """Preview an inline program (a callable that creates resources) with the same engine."""
    cfg = StackConfig(values=dict(config or {}), secret_keys=set(secret_keys))
    deadline = Deadline(timeout)
    with deadline.armed():
        packs = analysis.load_packs(policy_packs)
        result = run_program(
            fn,
            project=project,
            stack=stack,
            config=cfg,
            where=f"inline program {project}",
            allow_remote_components=allow_remote_components,
            deadline=deadline,
        )
        context = analysis.StackContext(
            project, stack, organization(cfg), cfg, context_stack_tags(None, cfg, stack_tags)
        )
        _analyze(result, packs, policy_config, cfg, context, deadline, computed_outputs)
    return result
