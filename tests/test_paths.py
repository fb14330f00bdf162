"""The derived-model cache keeps one version of each thing (or a few), not one per install."""

from __future__ import annotations

import os
from pathlib import Path

from guard.paths import prune_siblings


def test_older_versions_and_interrupted_work_are_removed(tmp_path: Path) -> None:
    models = tmp_path / "models"
    for name, age in [("m-aaa", 300), ("m-bbb", 200), ("m-ccc.partial", 100), ("other-1", 50)]:
        (models / name).mkdir(parents=True)
        os.utime(models / name, (age, age))
    target = models / "m-ddd"
    target.mkdir()
    removed = prune_siblings(target, "m-*")
    assert sorted(p.name for p in removed) == ["m-aaa", "m-bbb", "m-ccc.partial"]
    assert sorted(p.name for p in models.iterdir()) == ["m-ddd", "other-1"]


def test_the_most_recent_others_can_be_kept(tmp_path: Path) -> None:
    for name, age in [("t-1.npy", 100), ("t-2.npy", 200), ("t-3.npy", 300), ("t-4.npy", 400)]:
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (age, age))
    removed = prune_siblings(tmp_path / "t-4.npy", "t-*.npy", keep=2)
    assert [p.name for p in removed] == ["t-1.npy"]
