"""The process entry point: a Ctrl-C at any moment, Kasbah's own imports included, is one line and 130.

The console script and ``python -m kasbah`` start here, before the CLI's imports (click, rich, the
Pulumi SDK, gRPC, the providers' SDKs), which take a noticeable part of a second, more on a loaded
CI runner. A Ctrl-C that lands while they load ends with the same line and exit code as one that
lands later, instead of an import traceback and a death by SIGINT. (Only the interpreter's own
start-up, before this module runs, is left to the operating system's default.)
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

INTERRUPTED = "kasbah: interrupted (Ctrl-C)"
"""The one line printed on Ctrl-C, wherever it lands."""


def main() -> NoReturn:
    """Import the CLI, then run it (``kasbah.cli.entry``)."""
    try:
        from kasbah.cli import entry
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.stderr.flush()
        os._exit(130)  # a half-imported gRPC may have started threads the interpreter would wait for
    entry()
