"""Running a program in its project's own interpreter: Kasbah's monitor served over gRPC to a child process.

The Pulumi CLI runs a Python program in a process of the project's interpreter that talks to
the engine's resource monitor over gRPC. Kasbah does the same when the project's environment
is not its own (see :mod:`kasbah.engine.environments`): the monitor that records
registrations (:mod:`kasbah.engine.monitor`) is served on ``127.0.0.1``, the child runs
``child_main.py`` with the SDK's settings built as the language host builds them, and the
recorded resources stay in Kasbah's process, where the policy analysis runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent import futures
from pathlib import Path
from typing import Any

from kasbah.engine.guards import Deadline, RunTimeout
from kasbah.errors import PreviewError
from kasbah.project import StackConfig

CHILD_MAIN = Path(__file__).resolve().parent / "child_main.py"
_MAX_MESSAGE = 400 * 1024 * 1024
"""The SDK's own gRPC message limit (``pulumi.runtime.settings._GRPC_CHANNEL_OPTIONS``)."""


class _Loops:
    """One event loop per gRPC worker thread (the monitor serializes with the SDK's ``_sync_await``),
    closed when the server stops, so none is left for the garbage collector to finalize noisily."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.all: list[asyncio.AbstractEventLoop] = []
        self.lock = threading.Lock()

    def ensure(self) -> None:
        if getattr(self.local, "loop", None) is None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self.local.loop = loop
            with self.lock:
                self.all.append(loop)

    def close(self) -> None:
        with self.lock:
            loops, self.all = self.all, []
        for loop in loops:
            with contextlib.suppress(Exception):
                loop.close()


def _servicers(monitor: Any, engine: Any, loops: _Loops) -> tuple[Any, Any]:
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, resource_pb2, resource_pb2_grpc

    def call(method: Callable[[Any], Any], request: Any, context: Any) -> Any:
        loops.ensure()
        try:
            return method(request)
        except PreviewError as err:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, err.message)
        except Exception as exc:  # the monitor recorded it; the child sees a failed RPC
            context.abort(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}: {exc}")

    class Monitor(resource_pb2_grpc.ResourceMonitorServicer):
        def SupportsFeature(self, request: Any, context: Any) -> Any:
            answer = monitor.SupportsFeature(request)
            return resource_pb2.SupportsFeatureResponse(hasSupport=bool(answer.hasSupport))

        def GetDeploymentInfo(self, request: Any, context: Any) -> Any:
            return monitor.GetDeploymentInfo(request)

        def Invoke(self, request: Any, context: Any) -> Any:
            return call(monitor.Invoke, request, context)

        def Call(self, request: Any, context: Any) -> Any:
            return call(monitor.Call, request, context)

        def ReadResource(self, request: Any, context: Any) -> Any:
            return call(monitor.ReadResource, request, context)

        def RegisterResource(self, request: Any, context: Any) -> Any:
            return call(monitor.RegisterResource, request, context)

        def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:
            return call(monitor.RegisterResourceOutputs, request, context)

        def RegisterStackTransform(self, request: Any, context: Any) -> Any:
            return call(monitor.RegisterStackTransform, request, context)

        def RegisterStackInvokeTransform(self, request: Any, context: Any) -> Any:
            return empty_pb2.Empty()

        def RegisterResourceHook(self, request: Any, context: Any) -> Any:
            return empty_pb2.Empty()

        def RegisterErrorHook(self, request: Any, context: Any) -> Any:
            return empty_pb2.Empty()

        def RegisterPackage(self, request: Any, context: Any) -> Any:
            return call(monitor.RegisterPackage, request, context)

        def SignalAndWaitForShutdown(self, request: Any, context: Any) -> Any:
            return empty_pb2.Empty()

    class Engine(engine_pb2_grpc.EngineServicer):
        root = ""

        def Log(self, request: Any, context: Any) -> Any:
            engine.Log(request)
            return empty_pb2.Empty()

        def GetRootResource(self, request: Any, context: Any) -> Any:
            return engine_pb2.GetRootResourceResponse(urn=self.root)

        def SetRootResource(self, request: Any, context: Any) -> Any:
            self.root = request.urn
            return engine_pb2.SetRootResourceResponse()

        def RequirePulumiVersion(self, request: Any, context: Any) -> Any:
            return engine_pb2.RequirePulumiVersionResponse()

    return Monitor(), Engine()


@contextlib.contextmanager
def served(monitor: Any, engine: Any) -> Iterator[tuple[str, str]]:
    """Serve the monitor and the engine on 127.0.0.1; yields their addresses."""
    import grpc
    from pulumi.runtime.proto import engine_pb2_grpc, resource_pb2_grpc

    loops = _Loops()
    options = [
        ("grpc.max_receive_message_length", _MAX_MESSAGE),
        ("grpc.max_send_message_length", _MAX_MESSAGE),
    ]
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=32, thread_name_prefix="kasbah-monitor"), options=options
    )
    mon, eng = _servicers(monitor, engine, loops)
    resource_pb2_grpc.add_ResourceMonitorServicer_to_server(mon, server)
    engine_pb2_grpc.add_EngineServicer_to_server(eng, server)
    port = server.add_insecure_port("127.0.0.1:0")
    if port == 0:
        raise PreviewError("cannot serve the resource monitor on 127.0.0.1 (no free port)")
    server.start()
    address = f"127.0.0.1:{port}"
    try:
        yield address, address
    finally:
        server.stop(grace=None).wait(5)
        loops.close()


def child_environment(
    config: StackConfig, venv: Path | None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The child's environment: the CLI's, without ``PULUMI_*`` (as in-process runs), the virtualenv
    activated (``ActivateVirtualEnv``), and the stack's configuration as the language host passes it."""
    env = {k: v for k, v in (base if base is not None else os.environ).items() if not k.startswith("PULUMI_")}
    if venv is not None:
        from kasbah.engine.environments import venv_python

        env = {k: v for k, v in env.items() if k.upper() not in ("PYTHONHOME", "VIRTUAL_ENV")}
        env["PATH"] = str(venv_python(venv).parent) + os.pathsep + env.get("PATH", "")
        env["VIRTUAL_ENV"] = str(venv)
    env.pop("PYTHONPATH", None)
    env["PULUMI_CONFIG"] = json.dumps(config.runtime_values())
    env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(sorted(config.secret_keys))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _forward(stream: Any, sink: Callable[[str], None]) -> None:
    for line in iter(stream.readline, ""):
        sink(line)
    stream.close()


def run_child(
    python: Path,
    program: Path,
    *,
    monitor: Any,
    engine: Any,
    project: str,
    stack: str,
    organization: str,
    config: StackConfig,
    cwd: Path,
    root: Path,
    venv: Path | None,
    deadline: Deadline,
    unknown_invokes: bool = False,
) -> dict[str, Any]:
    """Run ``program`` with ``python`` against the served monitor; return the outcome ``child_main`` wrote.

    The child's output goes to stderr (the report owns stdout). A deadline or Ctrl-C ends the child.
    """
    with (
        served(monitor, engine) as (monitor_address, engine_address),
        tempfile.TemporaryDirectory(prefix="kasbah-child-") as tmp,
    ):
        result_file = Path(tmp) / "result.json"
        cmd = [
            str(python),
            "-u",
            str(CHILD_MAIN),
            "--monitor",
            monitor_address,
            "--engine",
            engine_address,
            "--project",
            project,
            "--stack",
            stack,
            "--organization",
            organization,
            "--root_directory",
            str(root),
            "--pwd",
            str(cwd),
            "--parallel",
            "16",
            "--result",
            str(result_file),
            *(["--unknown-invokes"] if unknown_invokes else []),
            str(program),
        ]
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=child_environment(config, venv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                start_new_session=True,
            )
        except OSError as exc:
            raise PreviewError(
                f"cannot start the project's interpreter {python}: {exc.strerror or exc}"
            ) from None

        def sink(line: str) -> None:
            with contextlib.suppress(Exception):
                sys.stderr.write(line)
                sys.stderr.flush()

        reader = threading.Thread(target=_forward, args=(proc.stdout, sink), daemon=True)
        reader.start()
        try:
            with deadline.armed():
                code = proc.wait()
        except (RunTimeout, KeyboardInterrupt):
            _stop(proc)
            raise
        finally:
            if proc.poll() is None:
                _stop(proc)
        reader.join(timeout=5)
        if result_file.exists():
            outcome: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
            return outcome
        return {"status": "died", "code": code}


def _stop(proc: subprocess.Popen[str]) -> None:
    """End the child and everything it started (it leads its own session)."""
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
