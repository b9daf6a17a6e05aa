"""The resource monitor: records every registration as the Pulumi engine would see it.

``KasbahMonitor`` answers the Python SDK's ``RegisterResource``, ``ReadResource``,
``RegisterResourceOutputs``, ``Invoke`` and ``Call`` requests in-process (it extends the
SDK's ``MockMonitor``, so the SDK's mock plumbing is reused) and fills a :class:`Recorder`.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from kasbah.engine import clouds
from kasbah.engine.model import (
    PROVIDER_PREFIX,
    SECRET_SIG,
    SECRET_SIG_KEY,
    STACK_REFERENCE_TYPE,
    STACK_TYPE,
    RecordedResource,
    is_secret_wire,
)
from kasbah.engine.stackrefs import mark_unknown_outputs
from kasbah.engine.urns import make_urn, provider_urn
from kasbah.errors import PreviewError
from kasbah.invokes import answer
from kasbah.project import SECRET_PLACEHOLDER, StackConfig


def default_provider_inputs(package: str, config: StackConfig, version: str) -> dict[str, Any]:
    """Inputs of the default provider the engine builds from ``<package>:*`` stack config."""
    inputs: dict[str, Any] = {}
    for key, value in config.namespace(package).items():
        if key in config.secret_keys or f"{package}:{key}" in config.secret_keys:
            inputs[key] = {SECRET_SIG_KEY: SECRET_SIG, "value": SECRET_PLACEHOLDER}
        elif isinstance(value, str):
            inputs[key] = value
        else:
            inputs[key] = json.dumps(value)
    if version:
        inputs["version"] = version
    return inputs


class Recorder:
    """Everything one program run registered (shared by the monitor's worker threads)."""

    def __init__(
        self,
        project: str,
        stack: str,
        config: StackConfig,
        stack_refs: Callable[[str], dict[str, Any]],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.config = config
        self.stack_refs = stack_refs
        self.progress = progress
        self.lock = threading.Lock()
        self.resources: dict[str, RecordedResource] = {}
        self.order: list[str] = []
        self.provider_inputs: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, Any] = {}
        self.stack_urn = ""
        self.errors: list[BaseException] = []

    def add(self, res: RecordedResource) -> None:
        with self.lock:
            if res.urn in self.resources:
                raise PreviewError(
                    f"duplicate resource URN {res.urn}: two resources of type {res.type} share the name "
                    f"{res.name!r} under the same parent (give each a unique name)"
                )
            self.resources[res.urn] = res
            self.order.append(res.urn)
            count = len(self.order)
        if self.progress is not None and count % 250 == 0:
            self.progress(count)

    def default_provider(self, package: str, version: str) -> str:
        suffix = version.replace(".", "_") if version else ""
        name = f"default_{suffix}" if suffix else "default"
        urn = make_urn(self.stack, self.project, "", f"{PROVIDER_PREFIX}{package}", name)
        with self.lock:
            exists = urn in self.resources
        if not exists:
            inputs = default_provider_inputs(package, self.config, version)
            res = RecordedResource(
                urn=urn,
                type=f"{PROVIDER_PREFIX}{package}",
                name=name,
                parent=None,
                provider=None,
                custom=True,
                wire=inputs,
                options={},
                dependencies=[],
                property_dependencies={},
            )
            with self.lock:
                if urn not in self.resources:
                    self.resources[urn] = res
                    self.order.append(urn)
                    self.provider_inputs[urn] = inputs
        return urn


def emulate_check(type_: str, wire: dict[str, Any], provider_inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The provider-side Check step policies can observe, as the type's cloud emulates it."""
    cloud = clouds.cloud_for(type_)
    return cloud.emulate_check(type_, wire, provider_inputs) if cloud else wire


@functools.lru_cache(maxsize=1)
def monitor_class() -> type:
    from google.protobuf import json_format, struct_pb2
    from pulumi.runtime import mocks, rpc
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

    class KasbahMonitor(mocks.MockMonitor):
        """A resource monitor that records registrations as the engine sees them."""

        def __init__(self, recorder: Recorder) -> None:
            super().__init__(_no_mocks())
            self.rec = recorder

        def make_urn(self, parent: str, type_: str, name: str) -> str:
            return make_urn(self.rec.stack, self.rec.project, parent, type_, name)

        def _provider_of(self, request: Any, type_: str, custom: bool) -> str | None:
            if not custom or type_.startswith("pulumi:providers:"):
                return None
            if request.provider:
                return provider_urn(str(request.provider))
            if type_ in (STACK_REFERENCE_TYPE,) or type_.startswith("pulumi:"):
                return None
            return self.rec.default_provider(type_.split(":")[0], request.version)

        def _options(self, request: Any, deps: list[str], prop_deps: dict[str, list[str]]) -> dict[str, Any]:
            implicit = {u for us in prop_deps.values() for u in us}
            opts: dict[str, Any] = {
                "protect": bool(request.protect),
                "retainOnDelete": bool(request.retainOnDelete),
                "ignoreChanges": list(request.ignoreChanges),
                "dependsOn": [d for d in deps if d not in implicit],
            }
            if request.deleteBeforeReplaceDefined:
                opts["deleteBeforeReplace"] = bool(request.deleteBeforeReplace)
            if list(request.replaceOnChanges):
                opts["replaceOnChanges"] = list(request.replaceOnChanges)
            if list(request.additionalSecretOutputs):
                opts["additionalSecretOutputs"] = list(request.additionalSecretOutputs)
            if list(request.aliasURNs) or list(request.aliases):
                opts["aliases"] = [a for a in request.aliasURNs] + [
                    json_format.MessageToDict(a) for a in request.aliases
                ]
            if request.importId:
                opts["import"] = request.importId
            if request.deletedWith:
                opts["deletedWith"] = request.deletedWith
            return opts

        def RegisterResource(self, request: Any) -> Any:
            try:
                return self._register(request)
            except BaseException as exc:
                self.rec.errors.append(exc)
                raise

        def _register(self, request: Any) -> Any:
            type_ = request.type
            urn = self.make_urn(request.parent, type_, request.name)
            if type_ == STACK_TYPE:
                self.rec.stack_urn = urn
                self.rec.add(RecordedResource(urn, type_, request.name, None, None, False, {}, {}, [], {}))
                return resource_pb2.RegisterResourceResponse(urn=urn)
            _ensure_event_loop()  # type: ignore[no-untyped-call]
            wire = json_format.MessageToDict(request.object)
            custom = bool(request.custom)
            provider = self._provider_of(request, type_, custom)
            prov_inputs = self.rec.provider_inputs.get(provider, {}) if provider else {}
            wire = emulate_check(type_, wire, prov_inputs)
            # Sorted: the SDK's order depends on task scheduling, and policies must not depend on it.
            deps = sorted(set(request.dependencies))
            prop_deps = {k: sorted(set(v.urns)) for k, v in sorted(request.propertyDependencies.items())}
            res = RecordedResource(
                urn=urn,
                type=type_,
                name=request.name,
                parent=request.parent or None,
                provider=provider,
                custom=custom,
                wire=wire,
                options=self._options(request, deps, prop_deps),
                dependencies=deps,
                property_dependencies=prop_deps,
            )
            if type_.startswith(PROVIDER_PREFIX):
                with self.rec.lock:
                    self.rec.provider_inputs[urn] = wire
            self.rec.add(res)
            if not custom:
                return resource_pb2.RegisterResourceResponse(urn=urn)
            obj = struct_pb2.Struct()
            obj.update(wire)
            return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=obj)

        def ReadResource(self, request: Any) -> Any:
            try:
                return self._read(request)
            except BaseException as exc:
                self.rec.errors.append(exc)
                raise

        def _read(self, request: Any) -> Any:
            _ensure_event_loop()  # type: ignore[no-untyped-call]
            urn = self.make_urn(request.parent, request.type, request.name)
            wire = json_format.MessageToDict(request.properties)
            provider = provider_urn(str(request.provider)) if request.provider else None
            if provider is None and not request.type.startswith("pulumi:"):
                provider = self.rec.default_provider(request.type.split(":")[0], request.version)
            res = RecordedResource(
                urn,
                request.type,
                request.name,
                request.parent or None,
                provider,
                True,
                wire,
                {"read": request.id},
                list(request.dependencies),
                {},
                read=True,
            )
            self.rec.add(res)
            if request.type == STACK_REFERENCE_TYPE:
                name = str(wire.get("name") or request.id)
                outputs = self.rec.stack_refs(name)
                state = struct_pb2.Struct()
                state.update(
                    {
                        "name": name,
                        "outputs": mark_unknown_outputs(outputs),
                        "secretOutputNames": sorted(k for k, v in outputs.items() if is_secret_wire(v)),
                    }
                )
                return resource_pb2.ReadResourceResponse(urn=urn, properties=state)
            return resource_pb2.ReadResourceResponse(urn=urn, properties=request.properties)

        def RegisterResourceOutputs(self, request: Any) -> Any:
            if request.urn == self.rec.stack_urn:
                self.rec.outputs = json_format.MessageToDict(request.outputs)
            return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]

        def Invoke(self, request: Any) -> Any:
            _ensure_event_loop()  # type: ignore[no-untyped-call]
            if request.tok == "pulumi:pulumi:getResource":
                return super().Invoke(request)  # type: ignore[no-untyped-call]
            args = rpc.deserialize_properties(request.args)
            provider = provider_urn(str(request.provider)) if request.provider else None
            prov_inputs: Mapping[str, Any] = {}
            if provider:
                prov_inputs = self.rec.provider_inputs.get(provider, {})
            else:
                pkg = request.tok.split(":")[0]
                prov_inputs = default_provider_inputs(pkg, self.rec.config, "")
            ctx = clouds.InvokeContext(config=self.rec.config.values, provider_inputs=prov_inputs)
            try:
                ret = answer(request.tok, args, ctx)
            except KeyError:
                err = PreviewError(
                    f"invoke {request.tok} has no canned answer in kasbah's offline registry "
                    "(kasbah/engine/clouds); add one that agrees with the stack config"
                )
                self.rec.errors.append(err)
                raise err from None
            except clouds.InvokeFailure as exc:
                return resource_pb2.ResourceInvokeResponse(
                    failures=[_check_failure("", f"invoke {request.tok}: {exc}")]
                )
            ret_proto = _sync_await(rpc.serialize_properties(ret, {}))
            return resource_pb2.ResourceInvokeResponse(failures=None, **{"return": ret_proto})

        def Call(self, request: Any) -> Any:
            err = PreviewError(f"method call {request.tok} is not supported offline")
            self.rec.errors.append(err)
            raise err

    return KasbahMonitor


def _check_failure(prop: str, reason: str) -> Any:
    from pulumi.runtime.proto import provider_pb2

    return provider_pb2.CheckFailure(property=prop, reason=reason)


def _no_mocks() -> Any:
    """MockMonitor requires a Mocks object; the Kasbah monitor answers everything itself."""
    from pulumi.runtime import mocks

    class _NoMocks(mocks.Mocks):
        def call(self, args: Any) -> Any:  # pragma: no cover - never reached
            raise AssertionError("unreachable")

        def new_resource(self, args: Any) -> Any:  # pragma: no cover - never reached
            raise AssertionError("unreachable")

    return _NoMocks()
