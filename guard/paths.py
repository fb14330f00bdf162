"""Where guard keeps files it derives from packaged models, shared by settings and detectors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def default_cache_dir() -> Path:
    """``GUARD_CACHE_DIR``, else ``~/.cache/guard``."""
    configured = os.environ.get("GUARD_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "guard"


def prune_siblings(target: Path, pattern: str, *, keep: int = 0) -> list[Path]:
    """Remove the other cached versions of what ``target`` caches (``pattern`` in its
    folder: older conversions, interrupted ``.partial`` work) but the ``keep`` most
    recently written, so the cache stops growing with every new install."""
    others = [p for p in target.parent.glob(pattern) if p != target]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for sibling in others[keep:]:
        if sibling.is_dir():
            shutil.rmtree(sibling, ignore_errors=True)
        else:
            sibling.unlink(missing_ok=True)
        removed.append(sibling)
    return removed
