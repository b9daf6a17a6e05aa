"""PolicyBaseline: the ALZ guardrails as custom definitions, initiatives and assignments (data in policy_library)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import authorization

from components.azure import policy_library as pl
from components.azure.management_groups import mg_resource_id
from components.azure.naming import management_group_id
from components.azure.preview import known_or_unknown
from components.azure.validation import APPROVED_LOCATIONS, DEFAULT_LOCATION, validate_locations
from components.common import CommonArgs, child_name
from components.errors import ConfigError

_NS = uuid.UUID("6f1c7d2e-2b8a-4d8e-9a57-6b0e7c4b1a10")


def _principal_id(identity: authorization.outputs.IdentityResponse | None) -> pulumi.Input[str]:
    """The identity's principal id; unknown (never missing) while a preview has not created it yet."""
    return known_or_unknown(identity.principal_id if identity is not None else None)


def role_assignment_guid(scope: str, assignment: str, role: str) -> str:
    """A deterministic role assignment name (a GUID) for one assignment's identity and role."""
    return str(uuid.uuid5(_NS, f"{scope}|{assignment}|{role}"))


@dataclass(frozen=True)
class PolicyBaselineArgs:
    """Inputs of :class:`PolicyBaseline`."""

    common: CommonArgs = field(default_factory=CommonArgs)
    """Shared inputs. Default: ``CommonArgs()``."""
    root_id: str = ""
    """Id of the intermediate root management group (definitions live there). Default: the prefix."""
    location: str = DEFAULT_LOCATION
    """Location of the assignments' managed identities. Default: ``francecentral``."""
    allowed_locations: Sequence[str] = APPROVED_LOCATIONS
    """The residency profile's approved locations. Default: francecentral, francesouth, spaincentral."""
    workspace_id: pulumi.Input[str] = ""
    """Resource id of the platform Log Analytics workspace (diagnostic settings target). Required when
    the ``diagnostics-to-log-analytics`` assignment is enabled."""
    switches: Mapping[str, pl.PolicySwitch] = field(default_factory=dict)
    """Per-assignment switches by assignment key. Default: every assignment enabled and enforced."""
    exemptions: Sequence[pl.ExemptionSpec] = ()
    """Exemptions (scope, reason, expiry). Default: none."""

    def __post_init__(self) -> None:
        validate_locations("kasbah:allowedLocations", list(self.allowed_locations))
        enabled = [a.key for a, _ in pl.select_assignments(self.switches)]
        pl.validate_exemptions(self.exemptions, enabled)
        if (
            "diagnostics-to-log-analytics" in enabled
            and isinstance(self.workspace_id, str)
            and not self.workspace_id
        ):
            raise ConfigError(
                "PolicyBaselineArgs.workspace_id and kasbah:policies.diagnostics-to-log-analytics.enabled",
                "the diagnostics policy has no Log Analytics workspace to send to",
                "pass the Management component's workspace id, or disable the assignment",
            )

    @property
    def root(self) -> str:
        return self.root_id or self.common.prefix


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


class PolicyBaseline(pulumi.ComponentResource):
    """Custom definitions and initiatives at the intermediate root; assignments at the ALZ groups."""

    def __init__(
        self,
        name: str,
        args: PolicyBaselineArgs,
        provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("kasbah:azure:PolicyBaseline", name, None, opts)
        root = args.root
        root_scope = mg_resource_id(root)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        selected = pl.select_assignments(args.switches)
        needed_defs: dict[str, pl.Definition] = {}
        needed_inis: dict[str, pl.Initiative] = {}
        for a, _ in selected:
            ini = pl.initiative(a.target)
            if ini is not None:
                needed_inis[ini.name] = ini
            for d in pl.target_definitions(a):
                needed_defs[d.name] = d

        self.definitions: dict[str, authorization.PolicyDefinitionAtManagementGroup] = {}
        for d in pl.DEFINITIONS:
            if d.name not in needed_defs:
                continue
            self.definitions[d.name] = authorization.PolicyDefinitionAtManagementGroup(
                child_name(name, "def", d.name),
                management_group_id=root,
                policy_definition_name=d.name,
                display_name=d.display_name,
                description=d.description,
                mode=d.mode,
                policy_type="Custom",
                metadata={"category": d.category, "source": "kasbah"},
                parameters=_param_defs(d.parameters),
                policy_rule=dict(d.rule),
                opts=child,
            )

        def def_id(def_name: str) -> str:
            return f"{root_scope}/providers/Microsoft.Authorization/policyDefinitions/{def_name}"

        self.initiatives: dict[str, authorization.PolicySetDefinitionAtManagementGroup] = {}
        for ini in pl.INITIATIVES:
            if ini.name not in needed_inis:
                continue
            self.initiatives[ini.name] = authorization.PolicySetDefinitionAtManagementGroup(
                child_name(name, "set", ini.name),
                management_group_id=root,
                policy_set_definition_name=ini.name,
                display_name=ini.display_name,
                description=ini.description,
                policy_type="Custom",
                metadata={"category": ini.category, "source": "kasbah"},
                parameters=_param_defs(ini.parameters),
                policy_definitions=[
                    authorization.PolicyDefinitionReferenceArgs(
                        policy_definition_id=def_id(m.definition),
                        policy_definition_reference_id=m.reference_id,
                        parameters={
                            k: authorization.ParameterValuesValueArgs(value=v)
                            for k, v in m.parameters.items()
                        },
                    )
                    for m in ini.members
                ],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    provider=provider,
                    depends_on=[self.definitions[m.definition] for m in ini.members],
                ),
            )

        self.assignments: dict[str, authorization.PolicyAssignment] = {}
        self.role_assignments: list[authorization.RoleAssignment] = []
        for a, switch in selected:
            scope = mg_resource_id(management_group_id(root, a.scope.value))
            is_set = a.target in self.initiatives
            target_id = (
                f"{root_scope}/providers/Microsoft.Authorization/policySetDefinitions/{a.target}"
                if is_set
                else def_id(a.target)
            )
            target_res: pulumi.Resource = self.initiatives[a.target] if is_set else self.definitions[a.target]
            identity = pl.needs_identity(a)
            params = {
                k: authorization.ParameterValuesValueArgs(
                    value=pl.fill(v, args.allowed_locations, args.workspace_id, args.location)
                )
                for k, v in a.parameters.items()
            }
            assignment = authorization.PolicyAssignment(
                child_name(name, "assign", a.key),
                scope=scope,
                policy_assignment_name=a.name,
                display_name=a.display_name,
                description=a.message,
                policy_definition_id=target_id,
                enforcement_mode=switch.enforcement.value,
                parameters=params,
                non_compliance_messages=[authorization.NonComplianceMessageArgs(message=a.message)],
                identity=authorization.IdentityArgs(type=authorization.ResourceIdentityType.SYSTEM_ASSIGNED)
                if identity
                else None,
                location=args.location if identity else None,
                metadata={"kasbahKey": a.key, "source": "kasbah"},
                opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[target_res]),
            )
            self.assignments[a.key] = assignment
            if identity:
                principal = assignment.identity.apply(_principal_id)
                for role in pl.assignment_roles(a):
                    self.role_assignments.append(
                        authorization.RoleAssignment(
                            child_name(name, "role", a.key, role.lower().replace(" ", "-")),
                            scope=scope,
                            role_assignment_name=role_assignment_guid(scope, a.name, role),
                            role_definition_id=pl.role_definition_id(role),
                            principal_id=principal,
                            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                            description=f"Remediation identity of policy assignment {a.name}",
                            opts=pulumi.ResourceOptions(
                                parent=self, provider=provider, depends_on=[assignment]
                            ),
                        )
                    )

        self.exemptions: list[authorization.PolicyExemption] = []
        enabled = [a.key for a, _ in selected]
        for ex in pl.validate_exemptions(args.exemptions, enabled):
            a = pl.assignment_by_key(ex.spec.assignment)
            scope = mg_resource_id(management_group_id(root, a.scope.value))
            assignment_id = f"{scope}/providers/Microsoft.Authorization/policyAssignments/{a.name}"
            ex_name = f"{a.name}-{uuid.uuid5(_NS, ex.spec.scope).hex[:8]}"
            self.exemptions.append(
                authorization.PolicyExemption(
                    child_name(name, "exempt", ex_name),
                    scope=ex.spec.scope,
                    policy_exemption_name=ex_name,
                    policy_assignment_id=assignment_id,
                    exemption_category=ex.spec.category.value,
                    description=ex.spec.reason,
                    display_name=f"{a.key}: {ex.spec.reason}"[:128],
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
                "assignmentIds": [x.id for x in self.assignments.values()],
                "exemptionIds": [x.id for x in self.exemptions],
            }
        )
