"""Root Pulumi program: `pulumi preview -s <stack>` runs the blueprint the stack selects (kasbah:blueprint)."""

from pathlib import Path

from kasbah.program import run_blueprint

# The blueprints beside this file (so a checkout of another revision runs its own blueprints).
run_blueprint(Path(__file__).resolve().parent)
