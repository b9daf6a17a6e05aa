"""Running a Pulumi Python program offline: a brand-new runtime per run, the SDK fast path, clean-up."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import os
import runpy
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kasbah.engine.guards import Deadline, ExitCalled, RunTimeout, no_process_exit, quiet_asyncio
from kasbah.engine.model import PreviewResult, display_value
from kasbah.engine.monitor import Recorder, engine_class, monitor_class, provider_environment
from kasbah.engine.sources import SourceLocator, repository_root
from kasbah.engine.stackrefs import per_output_values
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
    engine = engine_class()(recorder)
    saved_env = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PULUMI_")}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        settings.reset_options()
        settings.configure(
            mocks.MockSettings(  # type: ignore[no-untyped-call]
                monitor=monitor,
                monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
                engine=engine,
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
                # Bounded: a task that ignores its cancellation must not hang the run's end.
                loop.run_until_complete(asyncio.wait(pending, timeout=5))
        with contextlib.suppress(Exception):
            loop.close()
        asyncio.set_event_loop(None)
        # Futures of a failed run are finalised now, while asyncio is silenced, not later
        # (their "exception was never retrieved" would otherwise print pages after the one line).
        _collect_quietly()
        runtime_config.set_all_config({}, [])
        settings.reset_options()
        os.environ.update(saved_env)


def _collect_quietly() -> None:
    """``gc.collect()``, dropping what finalizers of the run's leftover event loops raise.

    The SDK gives each worker thread an event loop it never closes; finalising one whose
    self-pipe is gone raises ``ValueError: Invalid file descriptor: -1`` from ``__del__``, which
    Python prints as "Exception ignored". It is teardown noise, never the run's result.
    """
    saved = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, ValueError | OSError | RuntimeError) and "EventLoop" in repr(
            unraisable.object
        ):
            return
        saved(unraisable)

    sys.unraisablehook = hook
    try:
        gc.collect()
    finally:
        sys.unraisablehook = saved


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
    import pulumi

    if isinstance(exc, pulumi.RunError):
        # The language host logs a RunError's message alone, without a traceback.
        return PreviewError(f"the program of {where} failed: {' '.join(str(exc).split())}")
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


def _describe_exit(exc: BaseException) -> str:
    if isinstance(exc, ExitCalled):
        return f"called os._exit({exc.code})"
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"raised {type(exc).__name__}" + (f": {first}" if first else "")


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
    allow_remote_components: bool = False,
    deadline: Deadline | None = None,
    source_root: Path | None = None,
) -> PreviewResult:
    """Run ``func`` as a Pulumi program offline and return what it registered (no policies).

    Any way a program can stop is one :class:`PreviewError` (exit 2): an exception, a
    ``pulumi.RunError``, ``sys.exit`` (even with 0: a program that exits before it has
    registered everything would otherwise pass with what it registered so far), ``os._exit``,
    any other ``BaseException``, an error logged with ``pulumi.log.error``, or the deadline.
    ``KeyboardInterrupt`` is left to the caller (exit 130).

    ``source_root`` is the user's repository: each resource records the first frame of its
    stack trace inside it (default: the repository around the current directory).
    """
    where = where or project

    def no_refs(name: str) -> dict[str, Any]:
        raise PreviewError(
            f"StackReference '{name}' is not a stack of this project: pass its outputs with --stack-outputs FILE"
        )

    recorder = Recorder(
        project,
        stack,
        config,
        stack_refs or no_refs,
        progress,
        allow_remote_components=allow_remote_components,
        environment=provider_environment(),
        sources=SourceLocator(source_root or repository_root(Path.cwd())),
    )
    deadline = deadline or Deadline(None)

    def detail() -> str:
        last = recorder.last_registered
        return f"; the last resource registered was {last}" if last else "; no resource was registered"

    deadline.phase = lambda: f"the program of {where}"
    deadline.detail = detail
    started = time.perf_counter()
    before = set(sys.modules)
    old_cwd = os.getcwd()
    old_path = list(sys.path)
    with (
        _RUN_LOCK,
        quiet_asyncio(),
        _clean_runtime(project, stack, config, recorder),
        per_output_values(recorder.stack_reference_outputs),
        _sdk_fast_path(sdk_fast_path_enabled()),
        no_process_exit(),
    ):
        try:
            sys.path[:0] = list(sys_path)
            if cwd is not None:
                os.chdir(cwd)
            with deadline.armed():
                _run(func)
        except PreviewError:
            raise
        except KeyboardInterrupt:
            raise
        except RunTimeout:
            raise PreviewError(deadline.message()) from None
        except (SystemExit, ExitCalled) as exc:
            raise PreviewError(
                f"the program of {where} {_describe_exit(exc)}: a program must not exit the process "
                "(the run stops here; raise an exception to fail it)"
            ) from None
        except BaseException as exc:
            for err in recorder.errors:
                if isinstance(err, PreviewError):
                    raise err from None
            if not isinstance(exc, Exception):
                raise PreviewError(f"the program of {where} {_describe_exit(exc)}") from None
            raise _format_program_error(exc, where) from None
        finally:
            os.chdir(old_cwd)
            sys.path[:] = old_path
            _purge_modules(before, sys_path)
    for err in recorder.errors:
        if isinstance(err, PreviewError):
            raise err
    if recorder.log_errors:
        first = " ".join(recorder.log_errors[0].split())
        more = f" (and {len(recorder.log_errors) - 1} more)" if len(recorder.log_errors) > 1 else ""
        raise PreviewError(f"the program of {where} logged an error: {first}{more}")
    resources = [recorder.resources[u] for u in sorted(recorder.order, key=_resource_order)]
    return PreviewResult(
        project=project,
        stack=stack,
        resources=resources,
        outputs={k: display_value(v) for k, v in recorder.outputs.items()},
        wire_outputs=dict(recorder.outputs),
        seconds=time.perf_counter() - started,
    )


def _resource_order(urn: str) -> tuple[int, str]:
    """Deterministic order: the stack first, then providers, then everything by URN."""
    qualified = urn.split("::")[2]
    if qualified == "pulumi:pulumi:Stack":
        return (0, urn)
    if qualified.startswith("pulumi:providers:"):
        return (1, urn)
    return (2, urn)
