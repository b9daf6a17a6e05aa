"""Errors the CLI turns into exit code 2 with one clear line."""

from __future__ import annotations


class PreviewError(Exception):
    """Bad input or a failing program: one line that names the file or key, plus an optional detail."""

    def __init__(self, message: str, *, detail: str = "", exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
