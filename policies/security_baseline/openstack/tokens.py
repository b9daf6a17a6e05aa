"""OpenStack type tokens the security-baseline rules check (pulumi-openstack 5.x; a test checks each against the SDK)."""

from __future__ import annotations

VOLUME = "openstack:blockstorage/volume:Volume"
IMAGE = "openstack:images/image:Image"
NETWORK = "openstack:networking/network:Network"
SECGROUP = "openstack:networking/secGroup:SecGroup"
SECGROUP_RULE = "openstack:networking/secGroupRule:SecGroupRule"
CONTAINER = "openstack:objectstorage/container:Container"
SHARE = "openstack:sharedfilesystem/share:Share"
LISTENER = "openstack:loadbalancer/listener:Listener"
KEY_ORDER = "openstack:keymanager/orderV1:OrderV1"
ROLE_ASSIGNMENT = "openstack:identity/roleAssignment:RoleAssignment"
APP_CREDENTIAL = "openstack:identity/applicationCredential:ApplicationCredential"
