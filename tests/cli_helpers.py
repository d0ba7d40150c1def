from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, db_url: str, data_dir: Path, stdin: str | None = None, extra_env: dict | None = None):
    env = {
        **os.environ,
        "BARNRATT_DATABASE_URL": db_url,
        "BARNRATT_DATA_DIR": str(data_dir),
        "BARNRATT_ENV": "development",
        **(extra_env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=300,
    )
