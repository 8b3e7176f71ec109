"""The wheel must carry every subpackage and data file: an editable install hides a missing one."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_wheel_carries_every_module_and_data_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("segdsl-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        p.relative_to(ROOT).as_posix()
        for pattern in ("*.py", "*.lark", "*.json", "*.yaml")
        for p in (ROOT / "segdsl").rglob(pattern)
    }
    assert wanted <= shipped, f"missing from the wheel: {sorted(wanted - shipped)}"
