"""Root Pulumi program: `pulumi preview -s <stack>` runs the blueprint the stack selects (kasbah:blueprint)."""

from kasbah.program import run_blueprint

run_blueprint()
