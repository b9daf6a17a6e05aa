"""The ``security-baseline`` policy pack: AWS and Azure security controls (see POLICIES.md).

The policies are defined in :mod:`policies.security_baseline.rules` (AWS in
``rules_aws``, Azure in ``rules_azure``); ``__main__.py`` builds the
``PolicyPack`` for the real CLI and for ``kasbah preview``.
"""
