"""PolicyBaseline: the policy library (components/azure/library) deployed on the ALZ hierarchy.

Custom definitions, initiatives and custom roles at the intermediate root; each management
group's assignments from its archetype; each remediating assignment's identity gets exactly the
roles its definitions list (``roleDefinitionIds``), at its scope and on the resources its
parameters name; in every existing subscription, a remediation task per member whose targets
already exist (Azure Policy's DeployIfNotExists and Modify act only on later creates and updates),
the subscription's tasks deployed together as one ARM deployment.

Microsoft documentation relied on:
- assignments and identities: https://learn.microsoft.com/azure/governance/policy/concepts/assignment-structure
  and https://learn.microsoft.com/azure/governance/policy/how-to/remediate-resources (the identity's
  roles come from the definition's roleDefinitionIds; a remediation task at subscription scope can
  re-evaluate compliance first, at management-group scope it cannot);
- definitions at management-group scope: https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics;
- custom roles: https://learn.microsoft.com/azure/role-based-access-control/custom-roles (names unique
  per tenant, assignable scopes);
- exemptions: https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import authorization, resources

from components.azure import policy_library as pl
from components.azure.management_groups import mg_resource_id
from components.azure.naming import management_group_id
from components.azure.preview import known_or_unknown
from components.azure.validation import DEFAULT_LOCATION
from components.common import CommonArgs, child_name, stable_hash

_NS = uuid.UUID("6f1c7d2e-2b8a-4d8e-9a57-6b0e7c4b1a10")

LEGACY_LOGICAL_NAMES: dict[str, str] = {
    f"{a}/{n}": old
    for old, n, a in (
        ("allowed-locations", "kbh-allowed-locs", "root"),
        ("allowed-locations-rg", "kbh-allowed-locs-rg", "root"),
        ("require-classification-tag", "kbh-require-class-tag", "root"),
        ("inherit-classification-tag", "kbh-inherit-class-tag", "root"),
        ("deny-mgmt-ports-internet", "kbh-deny-mgmt-ports", "root"),
        ("deny-subnet-without-nsg", "kbh-deny-snet-no-nsg", "root"),
        ("storage-baseline", "kbh-storage-baseline", "root"),
        ("deny-public-ip-corp", "kbh-deny-pip-corp", "corp"),
        ("deny-public-ip-identity", "kbh-deny-pip-identity", "identity"),
        ("deny-hybrid-networking", "kbh-deny-hybrid-net", "sandbox"),
        ("decommissioned-deny-all", "kbh-decom-deny-all", "decommissioned"),
    )
}
"""Assignments whose Azure name did not change when the library became data: their old logical
key, aliased so that Pulumi updates them in place."""


def _principal_id(identity: authorization.outputs.IdentityResponse | None) -> pulumi.Input[str]:
    """The identity's principal id; unknown (never missing) while a preview has not created it yet."""
    return known_or_unknown(identity.principal_id if identity is not None else None)


def role_assignment_guid(scope: str, assignment: str, role: str, principal: str) -> str:
    """A deterministic role assignment name (a GUID) for one identity, role and scope.

    The principal is part of it: a re-created assignment has a new identity, so its role
    assignments get new names instead of colliding with the old ones (Azure refuses a second
    role assignment of the same name: https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#name).
    """
    return str(uuid.uuid5(_NS, f"{scope.lower()}|{assignment}|{role_guid_of(role)}|{principal}"))


def _guid_of(assignment: str, role: str) -> Callable[[list[Any]], str]:
    def make(v: list[Any]) -> str:
        return role_assignment_guid(str(v[0]), assignment, role, str(v[1]))

    return make


def role_guid_of(role: str) -> str:
    return pl.role_guid(role)


def custom_role_guid(root_scope: str, role_name: str) -> str:
    """The name (a GUID) of a library custom role created at ``root_scope``."""
    return str(uuid.uuid5(_NS, f"{root_scope.lower()}|role|{role_name}"))


@dataclass(frozen=True)
class PolicySettings:
    """The library and its overrides, as the blueprint reads them (``kasbah:policyLibrary``, ``kasbah:policies``)."""

    library: Sequence[str] = ()
    """Extra library directories, applied over Kasbah's in order. Default: none."""
    switches: Mapping[str, pl.PolicySwitch] = field(default_factory=dict)
    """Per-assignment overrides by assignment name (or ``<archetype>/<name>``). Default: none."""

    def load(self) -> pl.Library:
        return pl.load_library(self.library)


@dataclass(frozen=True)
class SubscriptionTarget:
    """An existing (or vended) subscription under the hierarchy, where remediation tasks run."""

    key: str
    """Short name used in logical names (``management``, ``lz-erp``...)."""
    subscription_id: pulumi.Input[str]
    group: pl.Group
    """The management group it is placed under."""
    provider: pulumi.ProviderResource | None
    depends_on: Sequence[pulumi.Resource] = ()
    """What places it under ``group`` (its placement or alias): remediation waits for it."""


@dataclass(frozen=True)
class PolicyBaselineArgs:
    """Inputs of :class:`PolicyBaseline`."""

    common: CommonArgs = field(default_factory=CommonArgs)
    """Shared inputs. Default: ``CommonArgs()``."""
    root_id: str = ""
    """Id of the intermediate root management group (definitions live there). Default: the prefix."""
    location: str = DEFAULT_LOCATION
    """Location of the assignments' managed identities. Default: ``francecentral``."""
    policies: PolicySettings = field(default_factory=PolicySettings)
    """The library and its overrides. Default: Kasbah's library, every assignment as it stands."""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Values of the library's default names (``policy_default_values.json``): the workspace id, the
    approved locations... A value may be an output. Required: each one an enabled assignment uses."""
    default_dependencies: Mapping[str, Sequence[pulumi.Resource]] = field(default_factory=dict)
    """Per default name, the resources its value comes from (an assignment using it waits for them).
    Default: none."""
    subscriptions: Sequence[SubscriptionTarget] = ()
    """Subscriptions that get remediation tasks. Default: none."""
    exemptions: Sequence[pl.ExemptionSpec] = ()
    """Exemptions (scope, reason, expiry). Default: none."""

    def __post_init__(self) -> None:
        self.resolved()

    @property
    def root(self) -> str:
        return self.root_id or self.common.prefix

    def resolved(self) -> list[pl.ResolvedAssignment]:
        """Every enabled assignment, checked (ConfigError names the key)."""
        lib = self.policies.load()
        out = pl.resolve_groups(lib, self.root, self.policies.switches, self.defaults)
        pl.validate_exemptions(self.exemptions, out)
        return out


def _param_defs(
    params: Mapping[str, Mapping[str, Any]],
) -> dict[str, authorization.ParameterDefinitionsValueArgs]:
    return {
        k: authorization.ParameterDefinitionsValueArgs(
            type=v["type"],
            default_value=v.get("defaultValue"),
            allowed_values=v.get("allowedValues"),
            metadata=v.get("metadata"),
        )
        for k, v in params.items()
    }


def _values(params: Mapping[str, Any]) -> dict[str, authorization.ParameterValuesValueArgs]:
    return {k: authorization.ParameterValuesValueArgs(value=v) for k, v in params.items()}


def remediation_name(assignment: str, reference: str | None, generation: str) -> str:
    """A deterministic remediation task name (letters, digits, hyphens; 64 characters at most)."""
    base = f"{assignment}-{reference}" if reference else assignment
    clean = "".join(c if c.isalnum() or c == "-" else "-" for c in base).lower()
    room = 64 - len(generation) - 1
    if len(clean) > room:
        clean = f"{clean[: room - 7]}-{stable_hash(base)}"
    return f"{clean}-{generation}"


@dataclass
class Assigned:
    """One assignment's resources."""

    resolved: pl.ResolvedAssignment
    assignment: authorization.PolicyAssignment
    role_assignments: list[authorization.RoleAssignment]


def assign(
    name: str,
    a: pl.ResolvedAssignment,
    scope: pulumi.Input[str],
    location: str,
    defaults: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
    aliases: Sequence[pulumi.Alias] = (),
) -> Assigned:
    """The policy assignment ``a`` at ``scope``, with its identity's role assignments.

    ``opts`` carries the parent, provider and dependencies (the scope's resource, the target
    definition and the resources the default values come from).
    """
    identity = a.needs_identity
    assignment = authorization.PolicyAssignment(
        child_name(name, "assign", a.archetype, a.name),
        scope=scope,
        policy_assignment_name=a.name,
        display_name=a.display_name,
        description=a.description or None,
        policy_definition_id=a.policy_definition_id,
        definition_version=a.definition_version,
        enforcement_mode=a.enforcement.value,
        parameters=_values(a.parameters),
        non_compliance_messages=[authorization.NonComplianceMessageArgs(message=a.non_compliance_message)],
        not_scopes=list(a.not_scopes) or None,
        identity=authorization.IdentityArgs(type=authorization.ResourceIdentityType.SYSTEM_ASSIGNED)
        if identity
        else None,
        location=location if identity else None,
        metadata={"kasbahKey": a.key, "source": "kasbah"},
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=list(aliases))),
    )
    roles: list[authorization.RoleAssignment] = []
    if identity:
        principal = assignment.identity.apply(_principal_id)
        scopes: list[tuple[str, pulumi.Input[str]]] = [("scope", scope)]
        scopes += [(p, a.parameters[p]) for p in a.permission_parameters]
        scopes += [(d, defaults[d]) for d in a.extra_scope_defaults]
        for where, target in scopes:
            for role in a.role_definition_ids:
                guid = pulumi.Output.all(target, principal).apply(_guid_of(a.key, role))
                roles.append(
                    authorization.RoleAssignment(
                        child_name(name, "role", a.archetype, a.name, where, pl.role_guid(role)[:8]),
                        scope=target,
                        role_assignment_name=guid,
                        role_definition_id=role,
                        principal_id=principal,
                        principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                        description=f"Remediation identity of policy assignment {a.name}",
                        opts=pulumi.ResourceOptions(
                            parent=opts.parent, provider=opts.provider, depends_on=[assignment]
                        ),
                    )
                )
    return Assigned(a, assignment, roles)


REMEDIATION_API_VERSION = "2024-10-01"
"""Microsoft.PolicyInsights/remediations API version (the one pulumi-azure-native 3.x uses)."""


def remediation_template(
    tasks: Sequence[tuple[int, str | None, str]],
) -> dict[str, Any]:
    """An ARM template (subscription scope) creating one remediation task per (assignment parameter
    index, member reference id, task name), each re-evaluating compliance first."""
    indexes = sorted({i for i, _, _ in tasks})
    resources = []
    for i, ref, task in tasks:
        props: dict[str, Any] = {
            "policyAssignmentId": f"[parameters('assignment{i}')]",
            "resourceDiscoveryMode": "ReEvaluateCompliance",
        }
        if ref is not None:
            props["policyDefinitionReferenceId"] = ref
        resources.append(
            {
                "type": "Microsoft.PolicyInsights/remediations",
                "apiVersion": REMEDIATION_API_VERSION,
                "name": task,
                "properties": props,
            }
        )
    return {
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {f"assignment{i}": {"type": "string"} for i in indexes},
        "resources": resources,
    }


def remediate(
    name: str,
    assigned: Sequence[Assigned],
    target: SubscriptionTarget,
    location: str,
    parent: pulumi.Resource,
) -> resources.DeploymentAtSubscriptionScope | None:
    """The remediation tasks of ``target`` for the members of ``assigned`` whose targets already exist.

    At subscription scope a task re-evaluates compliance first (``ReEvaluateCompliance``), so it does
    not depend on the first compliance scan having finished. The tasks of one subscription are one ARM
    deployment (https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-to-subscription)
    of ``Microsoft.PolicyInsights/remediations`` resources
    (https://learn.microsoft.com/azure/templates/microsoft.policyinsights/remediations): one Pulumi
    resource per subscription instead of one per task (about 19 per subscription). A task that has
    completed cannot be updated, so their names carry a hash of the whole list: a changed list deploys
    new tasks instead of rewriting finished ones.
    """
    chosen = [(i, a) for i, a in enumerate(assigned) if a.resolved.remediation_members()]
    if not chosen:
        return None
    plan = [(i, a.resolved.key, m.reference_id) for i, a in chosen for m in a.resolved.remediation_members()]
    generation = stable_hash(json.dumps([[k, r] for _, k, r in plan]))
    tasks = [(i, ref, remediation_name(assigned[i].resolved.name, ref, generation)) for i, _, ref in plan]
    return resources.DeploymentAtSubscriptionScope(
        child_name(name, "remediate", target.key),
        deployment_name=f"kbh-remediation-{generation}",
        location=location,
        properties=resources.DeploymentPropertiesArgs(
            mode=resources.DeploymentMode.INCREMENTAL,
            template=remediation_template(tasks),
            parameters={
                f"assignment{i}": resources.DeploymentParameterArgs(value=a.assignment.id) for i, a in chosen
            },
        ),
        opts=pulumi.ResourceOptions(
            parent=parent,
            provider=target.provider,
            depends_on=[
                *(a.assignment for _, a in chosen),
                *(r for _, a in chosen for r in a.role_assignments),
                *target.depends_on,
            ],
        ),
    )


class PolicyBaseline(pulumi.ComponentResource):
    """Definitions, initiatives and custom roles at the intermediate root; assignments at the ALZ groups."""

    def remediate_subscription(self, sub: SubscriptionTarget) -> None:
        """Remediation tasks in ``sub`` for every assignment at its group or above (a landing zone's
        subscription, vended after the baseline, is added by the blueprint once it exists)."""
        covering = set(pl.ancestors(sub.group))
        mine = [done for done in self.assigned.values() if done.resolved.group in covering]
        deployment = remediate(self._name, mine, sub, self._location, self)
        if deployment is not None:
            self.remediations.append(deployment)

    def role_definition_id(self, role: str) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
        """The id of a built-in role (by name) or of a custom role of the library, and what it depends on."""
        if role in self.role_definitions:
            return self.role_definitions[role].id, [self.role_definitions[role]]
        return pl.role_definition_id(role), []

    def __init__(
        self,
        name: str,
        args: PolicyBaselineArgs,
        groups: Mapping[pl.Group, pulumi.Resource] | None = None,
        provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``groups``: the management group resources (each assignment waits for its group)."""
        super().__init__("kasbah:azure:PolicyBaseline", name, None, opts)
        lib = args.policies.load()
        resolved = args.resolved()
        root = args.root
        root_scope = mg_resource_id(root)
        groups = dict(groups or {})
        root_deps = [groups[pl.Group.ROOT]] if pl.Group.ROOT in groups else []
        defs, sets, roles = pl.custom_items(lib)

        self.role_definitions: dict[str, authorization.RoleDefinition] = {}
        for role_name in roles:
            props = lib.role_definitions[role_name]["properties"]
            self.role_definitions[role_name] = authorization.RoleDefinition(
                child_name(name, "roledef", role_name),
                role_definition_id=custom_role_guid(root_scope, role_name),
                scope=root_scope,
                role_name=f"{role_name} ({root})",
                description=props.get("description"),
                role_type="CustomRole",
                permissions=[
                    authorization.PermissionArgs(
                        actions=p.get("actions") or [],
                        not_actions=p.get("notActions") or [],
                        data_actions=p.get("dataActions") or [],
                        not_data_actions=p.get("notDataActions") or [],
                    )
                    for p in props["permissions"]
                ],
                assignable_scopes=pl.assignable_scopes(lib.role_definitions[role_name], root_scope),
                opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=root_deps),
            )

        self.definitions: dict[str, authorization.PolicyDefinitionAtManagementGroup] = {}
        for d in defs:
            p = lib.policy_definitions[d]["properties"]
            self.definitions[d] = authorization.PolicyDefinitionAtManagementGroup(
                child_name(name, "def", d),
                management_group_id=root,
                policy_definition_name=d,
                display_name=p.get("displayName"),
                description=p.get("description"),
                mode=p.get("mode", "All"),
                policy_type="Custom",
                metadata=p.get("metadata"),
                parameters=_param_defs(p.get("parameters") or {}),
                policy_rule=p["policyRule"],
                opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=root_deps),
            )

        self.initiatives: dict[str, authorization.PolicySetDefinitionAtManagementGroup] = {}
        for s in sets:
            p = lib.policy_set_definitions[s]["properties"]
            members = pl.rewrite_custom_ids(p["policyDefinitions"], root)
            custom = [self.definitions[m.definition] for m in pl.summarise_set(s, p).members if not m.builtin]
            self.initiatives[s] = authorization.PolicySetDefinitionAtManagementGroup(
                child_name(name, "set", s),
                management_group_id=root,
                policy_set_definition_name=s,
                display_name=p.get("displayName"),
                description=p.get("description"),
                policy_type="Custom",
                metadata=p.get("metadata"),
                parameters=_param_defs(p.get("parameters") or {}),
                policy_definition_groups=p.get("policyDefinitionGroups"),
                policy_definitions=[
                    authorization.PolicyDefinitionReferenceArgs(
                        policy_definition_id=m["policyDefinitionId"],
                        policy_definition_reference_id=m.get("policyDefinitionReferenceId"),
                        definition_version=m.get("definitionVersion"),
                        group_names=m.get("groupNames") or None,
                        parameters=_values(
                            {k: v.get("value") for k, v in (m.get("parameters") or {}).items()}
                        ),
                    )
                    for m in members
                ],
                opts=pulumi.ResourceOptions(
                    parent=self, provider=provider, depends_on=[*root_deps, *dict.fromkeys(custom)]
                ),
            )

        self.assignments: dict[str, authorization.PolicyAssignment] = {}
        self.assigned: dict[str, Assigned] = {}
        self.role_assignments: list[authorization.RoleAssignment] = []
        for a in resolved:
            assert a.group is not None
            target: list[pulumi.Resource] = []
            if not a.builtin:
                target = [self.initiatives[a.target] if a.target_is_set else self.definitions[a.target]]
            group_dep = [groups[a.group]] if a.group in groups else []
            legacy = LEGACY_LOGICAL_NAMES.get(a.key)
            done = assign(
                name,
                a,
                mg_resource_id(management_group_id(root, a.group.value)),
                args.location,
                args.defaults,
                pulumi.ResourceOptions(
                    parent=self,
                    provider=provider,
                    depends_on=[
                        *group_dep,
                        *target,
                        *(r for d in a.defaults_used for r in args.default_dependencies.get(d, ())),
                    ],
                ),
                aliases=[pulumi.Alias(name=child_name(name, "assign", legacy))] if legacy else (),
            )
            self.assigned[a.key] = done
            self.assignments[a.key] = done.assignment
            self.role_assignments += done.role_assignments

        self._name = name
        self._location = args.location
        self.remediations: list[resources.DeploymentAtSubscriptionScope] = []
        for sub in args.subscriptions:
            self.remediate_subscription(sub)

        self.exemptions: list[authorization.PolicyExemption] = []
        for ex in pl.validate_exemptions(args.exemptions, resolved):
            a = ex.assignment
            ex_name = f"{a.name}-{uuid.uuid5(_NS, ex.spec.scope).hex[:8]}"
            self.exemptions.append(
                authorization.PolicyExemption(
                    child_name(name, "exempt", ex_name),
                    scope=ex.spec.scope,
                    policy_exemption_name=ex_name,
                    policy_assignment_id=self.assignments[a.key].id,
                    policy_definition_reference_ids=list(ex.spec.references) or None,
                    exemption_category=ex.spec.category.value,
                    description=ex.spec.reason,
                    display_name=f"{a.name}: {ex.spec.reason}"[:128],
                    expires_on=f"{ex.expires.isoformat()}T23:59:59Z",
                    opts=pulumi.ResourceOptions(
                        parent=self, provider=provider, depends_on=[self.assignments[a.key]]
                    ),
                )
            )
        self.register_outputs(
            {
                "definitionIds": [d.id for d in self.definitions.values()],
                "initiativeIds": [i.id for i in self.initiatives.values()],
                "roleDefinitionIds": [r.id for r in self.role_definitions.values()],
                "assignmentIds": [x.id for x in self.assignments.values()],
                "exemptionIds": [x.id for x in self.exemptions],
            }
        )
