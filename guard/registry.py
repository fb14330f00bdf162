"""Name → ``module:Class`` registries backed by entry points, imported only when selected.

Built-in parts register through the same entry-point groups as third-party packages; the
built-in table is the fallback for a source tree that is not installed.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any


def registered(group: str, builtin: dict[str, str]) -> dict[str, str]:
    """Every name in the entry-point ``group`` (over ``builtin``) and its ``module:Class``."""
    found = dict(builtin)
    for ep in entry_points(group=group):
        found[ep.name] = ep.value
    return found


def load(target: str) -> Any:
    """Import ``module:attribute`` and return the attribute."""
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
