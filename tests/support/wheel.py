"""A wheel of the package as it is in this checkout, made without a build backend (the test
machine has no network for one), so a test can ``pip install`` it like a user would."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from publisher import __version__
from tests.support.paths import ROOT


def make_wheel(folder: Path) -> Path:
    """``publisher-<version>-py3-none-any.whl`` in ``folder``: every file of the package,
    and the ``publisher`` console script."""
    name = f"publisher-{__version__}"
    wheel = folder / f"{name}-py3-none-any.whl"
    info = f"{name}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted((ROOT / "publisher").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: publisher\nVersion: {__version__}\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/entry_points.txt"] = b"[console_scripts]\npublisher = publisher.cli:main\n"
    record = []
    for key, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{key},sha256={digest},{len(data)}")
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(wheel, "w") as z:
        for key, data in files.items():
            z.writestr(key, data)
    return wheel
