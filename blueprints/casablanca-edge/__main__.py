"""casablanca-edge: latency-critical workloads in the Casablanca AWS Wavelength zone (composition only)."""

import pulumi
from settings import KEY_PREFIX, OUTPUTS, Settings, edge_args, validate

from components.aws.edge import WavelengthEdge, provider_region
from components.settings import read_settings

settings = read_settings(Settings)
args = edge_args(settings)
validate(settings, provider_region(args))
edge = WavelengthEdge("edge", args, key_prefix=KEY_PREFIX)
exports = edge.stack_outputs()
for key in OUTPUTS:
    pulumi.export(key, exports[key])
