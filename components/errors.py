"""Configuration errors: one line that names the key and the fix."""

from __future__ import annotations


class ConfigError(ValueError):
    """Bad input, raised before any resource is registered.

    ``str(error)`` is one line: ``<key>: <problem>. Fix: <fix>``. ``key`` is the
    configuration key (``kasbah:spokes[1].cidr``) or the argument path
    (``NetworkArgs.spokes[1].cidr``) at fault; for conflicting inputs, name both
    keys joined by `` and ``.
    """

    def __init__(self, key: str, problem: str, fix: str) -> None:
        self.key = key
        self.problem = problem.rstrip(".")
        self.fix = fix.rstrip(".")
        super().__init__(f"{key}: {self.problem}. Fix: {self.fix}.")
