"""sovereign-openstack: the tenant-side sovereign landing zone on OpenStack (composition only)."""

import pulumi
from settings import KEY_PREFIX, OUTPUTS, Settings, check

from components.openstack.landing_zone import OpenStackLandingZone
from components.settings import read_settings

settings = read_settings(Settings)
args = check(settings)
sync_key = pulumi.Config("kasbah").get_secret("containerSyncKey")
zone = OpenStackLandingZone("sovereign", args, sync_key=sync_key, key_prefix=KEY_PREFIX)
exports = zone.outputs()
for key in OUTPUTS:
    pulumi.export(key, exports[key])
