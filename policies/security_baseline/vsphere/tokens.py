"""vSphere type tokens the security-baseline rules check (pulumi-vsphere 4.x; a test checks each against the SDK)."""

from __future__ import annotations

VM = "vsphere:index/virtualMachine:VirtualMachine"
TAG = "vsphere:index/tag:Tag"
TAG_CATEGORY = "vsphere:index/tagCategory:TagCategory"
STORAGE_POLICY = "vsphere:index/vmStoragePolicy:VmStoragePolicy"
PORT_GROUP = "vsphere:index/distributedPortGroup:DistributedPortGroup"
SWITCH = "vsphere:index/distributedVirtualSwitch:DistributedVirtualSwitch"
CONTENT_LIBRARY = "vsphere:index/contentLibrary:ContentLibrary"
ROLE = "vsphere:index/role:Role"
ENTITY_PERMISSIONS = "vsphere:index/entityPermissions:EntityPermissions"
