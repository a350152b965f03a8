"""The Simplified Chinese font the server draws with (watermarks, charts), found explicitly."""

from __future__ import annotations

import functools
import shutil
import subprocess


def cjk_font_file() -> tuple[str, int] | None:
    """The file (and face index) of a Simplified Chinese font, found through fontconfig."""
    found = _cjk_font()
    return None if found is None else found[:2]


def cjk_font_family() -> str | None:
    """That font's family name, as fonts are asked for by name (in PDFs)."""
    found = _cjk_font()
    return None if found is None else found[2]


@functools.cache
def _cjk_font() -> tuple[str, int, str] | None:
    executable = shutil.which("fc-match")
    if executable is None:
        return None
    try:
        found = subprocess.run(  # noqa: S603 (fixed arguments, no user input)
            [executable, "-f", "%{file}|%{index}|%{family}", "Noto Sans CJK SC:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, rest = found.partition("|")
    index, _, family = rest.partition("|")
    if not path or "CJK" not in family and "Han" not in family and "Hei" not in family:
        return None
    return path, int(index or 0), family.split(",")[0].strip()
