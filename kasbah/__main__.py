import sys

try:
    from kasbah.cli import entry
except KeyboardInterrupt:  # Ctrl-C while the modules load, before entry() handles it
    print("kasbah: interrupted (Ctrl-C)", file=sys.stderr)
    sys.exit(130)

entry()
