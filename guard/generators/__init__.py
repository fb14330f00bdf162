"""Generator registry: names map to ``module:Class`` and load only when selected.

Built-in generators register through the ``guard.generators`` entry-point group, exactly
as a third-party package would; the table below is the fallback for an uninstalled tree.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from guard.errors import ConfigurationError

if TYPE_CHECKING:
    from guard.config import Settings
    from guard.generators.base import Generator

_BUILTIN = {
    "local": "guard.generators.local:LocalGenerator",
    "upstream": "guard.generators.upstream:UpstreamGenerator",
    "fake": "guard.generators.fake:FakeGenerator",
}


def registered_generators() -> dict[str, str]:
    """Every generator name and the ``module:Class`` it loads."""
    found = dict(_BUILTIN)
    for ep in entry_points(group="guard.generators"):
        found[ep.name] = ep.value
    return found


def _load(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def build_generator(settings: Settings) -> Generator:
    """Instantiate the generator named by ``settings.generator``."""
    registry = registered_generators()
    target = registry.get(settings.generator)
    if target is None:
        known = ", ".join(sorted(registry))
        raise ConfigurationError(f"unknown generator {settings.generator!r}; known: {known}")
    generator: Generator = _load(target).from_settings(settings)
    return generator
