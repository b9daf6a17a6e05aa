"""Kasbah: the `kasbah` CLI and the offline preview engine."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kasbah")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

REPOSITORY_URL = "https://github.com/kasbah-cloud/kasbah"
"""Kasbah's source repository (VCS installs, SARIF ``informationUri``, links to POLICIES.md)."""


def policy_url(policy: str, version: str | None = None) -> str:
    """The entry of a Kasbah policy in POLICIES.md, at the tag of this version."""
    return f"{REPOSITORY_URL}/blob/v{version or __version__}/POLICIES.md#{policy}"


__all__ = ["REPOSITORY_URL", "__version__", "policy_url"]
