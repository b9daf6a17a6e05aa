"""Kasbah's pulumi-policy packs.

Each pack is a directory holding ``PulumiPolicy.yaml`` (so the real CLI runs it
with ``pulumi preview --policy-pack policies/<pack>``), an importable
``policies.py``-style module that defines its policies, and a ``__main__.py``
that builds the ``PolicyPack`` (which starts a gRPC server and never returns).
``kasbah preview`` imports the policies module and drives pulumi-policy's
analyzer in-process.

Shared machinery (metadata, enforcement defaults, exemptions, unknown values)
is in :mod:`policies.common`.
"""
