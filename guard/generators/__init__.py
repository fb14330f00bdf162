"""Generator registry: names map to ``module:Class`` and load only when selected
(entry-point group ``guard.generators``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guard.errors import ConfigurationError
from guard.registry import load, registered

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
    return registered("guard.generators", _BUILTIN)


def build_generator(settings: Settings) -> Generator:
    """Instantiate the generator named by ``settings.generator``."""
    registry = registered_generators()
    target = registry.get(settings.generator)
    if target is None:
        known = ", ".join(sorted(registry))
        raise ConfigurationError(f"unknown generator {settings.generator!r}; known: {known}")
    cls: type[Generator] = load(target)
    return cls.from_settings(settings)
