"""The ``data-residency`` policy pack (Moroccan data residency; see README.md and rules.py)."""
