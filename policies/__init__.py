"""Kasbah's pulumi-policy packs.

Each pack is a directory holding ``PulumiPolicy.yaml`` (so the real CLI runs it
with ``pulumi preview --policy-pack policies/<pack>``), a ``requirements.txt``
pinning the ``kasbah`` distribution that ships its code, the ``rules`` module
that defines its policies (``PACK_NAME``, ``POLICIES``), and a ``__main__.py``
that builds the ``PolicyPack`` (which starts a gRPC server and never returns).
``kasbah preview`` runs the same ``__main__.py`` in-process.

Shared machinery (metadata, builders, exemptions, values, unknowns) is in
:mod:`policies.framework`; :mod:`policies.common` is its old name, kept as a
re-export for branches not yet ported.
"""
