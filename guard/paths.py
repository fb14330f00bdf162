"""Where guard keeps files it derives from packaged models, shared by settings and detectors."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """``GUARD_CACHE_DIR``, else ``~/.cache/guard``."""
    configured = os.environ.get("GUARD_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "guard"
