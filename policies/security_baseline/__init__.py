"""The ``security-baseline`` policy pack: AWS and Azure security controls (see POLICIES.md).

Rules live per cloud and domain (``aws/encryption.py``, ``azure/network.py``...);
:mod:`policies.security_baseline.rules` assembles them; ``__main__.py`` builds the
``PolicyPack`` for the real CLI and for ``kasbah preview``.
"""
