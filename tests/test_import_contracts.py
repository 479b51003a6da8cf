"""The app boundaries of pyproject's ``[tool.importlinter]`` hold (layers, an acyclic app graph, the
Django-free matching engine, no app importing another's models, views or api): ``make test`` and CI
enforce them, as ``make lint`` does. See docs/development/boundaries.md."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    # This checkout's sources, whatever an installed copy of the package says.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    }
    command = [
        sys.executable,
        "-c",
        "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
        "--no-cache",
        "--config",
        str(ROOT / "pyproject.toml"),
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
