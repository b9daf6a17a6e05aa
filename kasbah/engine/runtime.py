"""Running a Pulumi Python program offline: a brand-new runtime per run, the SDK fast path, clean-up."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import runpy
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kasbah.engine.model import PreviewResult, display_value
from kasbah.engine.monitor import Recorder, monitor_class
from kasbah.engine.stackrefs import per_output_unknowns
from kasbah.errors import PreviewError
from kasbah.project import Project, StackConfig

ENGINE_DIR = str(Path(__file__).resolve().parent.parent)
"""Kasbah's own package directory: its frames are left out of program tracebacks."""

_RUN_LOCK = threading.Lock()


def sdk_fast_path_enabled() -> bool:
    """Whether to skip SDK work whose result is never used offline (``KASBAH_SDK_FAST_PATH=0`` disables it)."""
    return os.environ.get("KASBAH_SDK_FAST_PATH", "1") != "0"


@contextlib.contextmanager
def _sdk_fast_path(enabled: bool) -> Iterator[None]:
    """Two patches of the Python SDK's own overhead, for the duration of one run; the monitor sees the same.

    1. ``Resource.__init__`` computes an alias URN (several Outputs) for every alias in
       its options; those URNs are only read when the monitor does not support alias
       specs. Kasbah's monitor does (the SDK sends the alias specs themselves), so
       the URNs are dead work: about 30 per azure-native resource.
    2. ``wait_for_rpcs`` waits with ``FIRST_COMPLETED`` over every pending output and
       starts again after each completion, which is quadratic in the number of
       outputs. Waiting for all of them gives the same end state (outputs created
       meanwhile are picked up by the next round of its loop).

    The recorded resources, inputs, options and dependencies are identical either
    way (tested); only wall time changes. Disable with ``KASBAH_SDK_FAST_PATH=0``.
    """
    if not enabled:
        yield
        return
    import types

    import pulumi.resource as pulumi_resource
    import pulumi.runtime.stack as pulumi_stack

    saved_collapse = pulumi_resource.collapse_alias_to_urn  # type: ignore[attr-defined]
    saved_asyncio = pulumi_stack.asyncio  # type: ignore[attr-defined]
    shim = types.SimpleNamespace(**{k: getattr(asyncio, k) for k in dir(asyncio) if not k.startswith("__")})

    async def wait_all(tasks: Any, return_when: Any = None) -> Any:
        return await asyncio.wait(tasks, return_when=asyncio.ALL_COMPLETED)

    shim.wait = wait_all
    pulumi_resource.collapse_alias_to_urn = lambda alias, name, typ, parent: ""  # type: ignore[attr-defined,assignment,return-value]
    pulumi_stack.asyncio = shim  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        pulumi_resource.collapse_alias_to_urn = saved_collapse  # type: ignore[attr-defined]
        pulumi_stack.asyncio = saved_asyncio  # type: ignore[attr-defined]


@contextlib.contextmanager
def _clean_runtime(project: str, stack: str, config: StackConfig, recorder: Recorder) -> Iterator[None]:
    """Configure a brand-new Pulumi runtime for one run and tear it down afterwards."""
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import mocks, settings

    monitor_cls = monitor_class()
    monitor = monitor_cls(recorder)
    saved_env = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PULUMI_")}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        settings.reset_options()
        settings.configure(
            mocks.MockSettings(  # type: ignore[no-untyped-call]
                monitor=monitor,
                monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
                engine=mocks.MockEngine(None),
                project=project,
                stack=stack,
                dry_run=True,
                organization=str(config.values.get("kasbah:organization") or "organization"),
                callbacks=None,
            )
        )
        runtime_config.set_all_config(config.runtime_values(), sorted(config.secret_keys))
        yield
    finally:
        with contextlib.suppress(Exception):
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        with contextlib.suppress(Exception):
            loop.close()
        asyncio.set_event_loop(None)
        runtime_config.set_all_config({}, [])
        settings.reset_options()
        os.environ.update(saved_env)


def _run(func: Callable[[], Any]) -> None:
    from pulumi.runtime.stack import run_in_stack

    loop = asyncio.get_event_loop()
    loop.run_until_complete(run_in_stack(func))


def program_runner(project: Project) -> tuple[Callable[[], Any], list[str]]:
    main = project.main
    if main.is_dir():
        entry = main / "__main__.py"
        if not entry.exists():
            raise PreviewError(f"{main}: no __main__.py (the program of project {project.name})")
        program_dir = main
    else:
        entry = main
        program_dir = main.parent
    added = [str(program_dir)]

    def run() -> None:
        runpy.run_path(str(entry), run_name="__main__")

    return run, added


def _purge_modules(before: set[str], roots: Sequence[str]) -> None:
    """Forget modules the program imported from its own directory, so the next run starts clean.

    Installed packages are kept even when the environment lives inside the project
    directory (a ``.venv`` at the repository root), and so are Kasbah's own packages.
    """
    resolved = [str(Path(r).resolve()) + os.sep for r in roots]
    installed = [str(Path(p).resolve()) + os.sep for p in _installed_dirs()]
    for name in list(sys.modules):
        if name in before or name.split(".")[0] in ("kasbah", "components", "policies"):
            continue
        file = getattr(sys.modules.get(name), "__file__", None) or ""
        if not file:
            continue
        path = str(Path(file).resolve())
        if any(path.startswith(r) for r in resolved) and not any(path.startswith(i) for i in installed):
            del sys.modules[name]


@functools.lru_cache(maxsize=1)
def _installed_dirs() -> tuple[str, ...]:
    import site
    import sysconfig

    dirs = {sysconfig.get_paths()[k] for k in ("purelib", "platlib", "stdlib", "platstdlib")}
    dirs.update(site.getsitepackages())
    dirs.add(sys.prefix)
    return tuple(sorted(dirs))


def _format_program_error(exc: BaseException, where: str) -> PreviewError:
    from components.errors import ConfigError

    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in chain:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    for e in chain:
        if isinstance(e, PreviewError):
            return e
    for e in chain:
        if isinstance(e, ConfigError):
            return PreviewError(f"configuration error: {e}", detail=_tail(e))
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return PreviewError(f"the program of {where} failed: {type(exc).__name__}: {first}", detail=_tail(exc))


def _tail(exc: BaseException, lines: int = 12) -> str:
    """The program's own part of the traceback: frames of Kasbah, the Pulumi SDK and runpy left out."""
    internal = (ENGINE_DIR, os.sep + "pulumi" + os.sep, "<frozen runpy>", "asyncio")
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if not any(i in f.filename for i in internal)
    ]
    text = "Traceback (most recent call last, program frames only):\n" + "".join(
        traceback.format_list(frames)
    )
    text += "".join(traceback.format_exception_only(type(exc), exc))
    return "\n".join(text.rstrip().splitlines()[-lines:])


def run_program(
    func: Callable[[], Any],
    *,
    project: str,
    stack: str,
    config: StackConfig,
    sys_path: Sequence[str] = (),
    cwd: Path | None = None,
    stack_refs: Callable[[str], dict[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
    where: str = "",
) -> PreviewResult:
    """Run ``func`` as a Pulumi program offline and return what it registered (no policies)."""

    def no_refs(name: str) -> dict[str, Any]:
        raise PreviewError(
            f"StackReference '{name}' is not a stack of this project: pass its outputs with --stack-outputs FILE"
        )

    recorder = Recorder(project, stack, config, stack_refs or no_refs, progress)
    started = time.perf_counter()
    before = set(sys.modules)
    old_cwd = os.getcwd()
    old_path = list(sys.path)
    with (
        _RUN_LOCK,
        _clean_runtime(project, stack, config, recorder),
        per_output_unknowns(),
        _sdk_fast_path(sdk_fast_path_enabled()),
    ):
        try:
            sys.path[:0] = list(sys_path)
            if cwd is not None:
                os.chdir(cwd)
            _run(func)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise _format_program_error(exc, where or project) from None
        except PreviewError:
            raise
        except BaseException as exc:
            for err in recorder.errors:
                if isinstance(err, PreviewError):
                    raise err from None
            raise _format_program_error(exc, where or project) from None
        finally:
            os.chdir(old_cwd)
            sys.path[:] = old_path
            _purge_modules(before, sys_path)
    for err in recorder.errors:
        if isinstance(err, PreviewError):
            raise err
    resources = [recorder.resources[u] for u in recorder.order]
    return PreviewResult(
        project=project,
        stack=stack,
        resources=resources,
        outputs={k: display_value(v) for k, v in recorder.outputs.items()},
        wire_outputs=dict(recorder.outputs),
        seconds=time.perf_counter() - started,
    )
