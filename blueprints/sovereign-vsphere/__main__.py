"""sovereign-vsphere: the sovereign landing zone on VMware vSphere (composition only)."""

import pulumi
from settings import KEY_PREFIX, OUTPUTS, Settings, check

from components.settings import read_settings
from components.vsphere.landing_zone import VsphereLandingZone

settings = read_settings(Settings)
args = check(settings)
zone = VsphereLandingZone("sovereign", args, key_prefix=KEY_PREFIX)
exports = zone.outputs()
for key in OUTPUTS:
    pulumi.export(key, exports[key])
