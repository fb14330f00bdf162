"""Loading policy files: YAML with line numbers, validation, detectors built, policies merged.

Every problem is a ``PolicyProblem`` naming file, line and reason; a directory with any
problem loads nothing, so the caller keeps serving what it had.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from guard.detectors import detector_class, registered_detectors
from guard.detectors.base import Detector, DetectorContext, Finding, ModelsNotLoadedError
from guard.errors import GuardError
from guard.limits import Limits
from guard.policy.schema import Constraints, FailMode, PolicyFile, PolicyTest, Rule

POLICY_SUFFIXES = (".yaml", ".yml")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class PolicyLoadError(GuardError):
    """One or more policy files are invalid; ``problems`` says where and why."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class CompiledRule:
    """A rule with its detector built and its fail mode resolved."""

    rule: Rule
    detector: Detector
    on_error: FailMode
    file: str

    @property
    def id(self) -> str:
        return self.rule.id

    # With a review band: the detector reports from ``rule.review`` up, and findings under
    # ``threshold`` (the one the policy author set) are flagged for review, not acted on.
    threshold: float | None = None
    # the policy that wrote the rule (another one when inherited through ``extends``), and
    # whether the inheriting policy changed it
    origin: str = ""
    overridden: bool = False

    @property
    def sensitive(self) -> bool:
        """Its findings are personal data or secrets (the detector says so)."""
        return bool(self.detector.sensitive)


@dataclass
class Policy:
    """A named policy: the rules and tests of all its files, and their content hash."""

    name: str
    apps: tuple[str, ...]
    files: tuple[str, ...]
    version: str
    constraints: Constraints | None
    rules: list[CompiledRule]
    tests: list[tuple[str, PolicyTest]] = field(default_factory=list)
    # every file the version hash covers, by name: text, or a line describing a binary file
    sources: dict[str, str] = field(default_factory=dict)
    # this policy and the ones it extends, each as name@version, this one first
    chain: tuple[str, ...] = ()
    # the rate limits of each app it serves
    limits: Limits | None = None

    def rules_for(self, stage: str, endpoint: str = "chat") -> list[CompiledRule]:
        """The rules that read ``stage`` of requests to ``endpoint``."""
        return [r for r in self.rules if stage in r.rule.stages and endpoint in r.rule.endpoints]

    def allows_model(self, model: str) -> bool:
        if self.constraints is None or self.constraints.models is None:
            return True
        return any(fnmatch.fnmatchcase(model, pattern) for pattern in self.constraints.models)


@dataclass
class PolicySet:
    """Every policy loaded from a directory, and which app gets which."""

    policies: dict[str, Policy]
    directory: str

    def for_app(self, app: str) -> Policy | None:
        fallback = None
        for policy in self.policies.values():
            if app in policy.apps:
                return policy
            if "*" in policy.apps:
                fallback = policy
        return fallback


class _LineMap:
    """Maps a path inside the YAML document (keys and list indexes) to its line (1-based)."""

    def __init__(self, file: str):
        self.file = file
        self.lines: dict[Path_, int] = {}
        self.problems: list[PolicyProblem] = []

    def walk(self, node: yaml.Node, path: Path_ = ()) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.problems.append(
                        PolicyProblem(
                            self.file, key_node.start_mark.line + 1, f"duplicate key {key!r}"
                        )
                    )
                seen.add(key)
                self.walk(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index))

    def line(self, path: Iterable[str | int]) -> int:
        parts = tuple(path)
        while parts and parts not in self.lines:
            parts = parts[:-1]
        return self.lines.get(parts, 1)


def _read_yaml(path: Path, label: str) -> tuple[Any, _LineMap]:
    text = path.read_text(encoding="utf-8")
    lines = _LineMap(label)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise PolicyLoadError([PolicyProblem(label, line, f"invalid YAML: {reason}")]) from exc
    if node is not None:
        lines.walk(node)
    return data, lines


def _pydantic_problems(
    exc: ValidationError, lines: _LineMap, prefix: Path_ = ()
) -> list[PolicyProblem]:
    problems = []
    for error in exc.errors():
        loc = (*prefix, *(p for p in error["loc"] if not isinstance(p, str) or "[" not in p))
        where = ".".join(str(p) for p in loc) or "top level"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
            where = ".".join(str(p) for p in loc[:-1]) or "top level"
        problems.append(PolicyProblem(lines.file, lines.line(loc), f"{where}: {message}"))
    return problems


def _build_rule(
    rule: Rule,
    index: int,
    file: PolicyFile,
    lines: _LineMap,
    context: DetectorContext,
    base_dir: Path,
) -> CompiledRule:
    path: Path_ = ("rules", index, "detector")
    type_name = str(rule.detector["type"])
    if type_name not in registered_detectors():
        known = ", ".join(sorted(registered_detectors()))
        raise PolicyLoadError(
            [
                PolicyProblem(
                    lines.file,
                    lines.line((*path, "type")),
                    f"unknown detector type {type_name!r}; known: {known}",
                )
            ]
        )
    cls = detector_class(type_name)
    if not isinstance(getattr(cls, "sensitive", None), bool):
        raise PolicyLoadError(
            [
                PolicyProblem(
                    lines.file,
                    lines.line((*path, "type")),
                    f"detector {type_name!r} does not declare `sensitive` (whether its findings "
                    "are personal data or secrets), which the Detector protocol requires",
                )
            ]
        )
    try:
        config = cls.Config.model_validate(rule.detector)
    except ValidationError as exc:
        raise PolicyLoadError(_pydantic_problems(exc, lines, path)) from exc
    threshold = None
    if rule.review is not None:
        config, threshold = _review_band(cls, config, rule, lines, index)
    try:
        detector = cls.create(config, replace(context, policy_dir=base_dir))
    except ModelsNotLoadedError:
        detector = NotLoaded(type_name, bool(cls.sensitive))
    except GuardError as exc:
        raise PolicyLoadError(
            [PolicyProblem(lines.file, lines.line(path), f"rule {rule.id}: {exc.message}")]
        ) from exc
    return CompiledRule(
        rule=rule,
        detector=detector,
        on_error=rule.on_error or file.on_error,
        file=lines.file,
        threshold=threshold,
    )


class NotLoaded:
    """A rule's detector left unbuilt because its policy was only checked (no models)."""

    def __init__(self, type_name: str, sensitive: bool):
        self.type_name = type_name
        self.sensitive = sensitive

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        raise RuntimeError(f"the {self.type_name} detector was not loaded (policy check only)")


# The settings in which a detector takes its threshold (the review band lowers it).
THRESHOLD_KEYS = ("threshold", "min_score")


def _review_band(
    cls: Any, config: Any, rule: Rule, lines: _LineMap, index: int
) -> tuple[Any, float]:
    """The detector's settings lowered to the review score, and the threshold it had."""
    key = next((k for k in THRESHOLD_KEYS if k in cls.Config.model_fields), None)
    where = lines.line(("rules", index, "review"))
    if key is None:
        raise PolicyLoadError(
            [
                PolicyProblem(
                    lines.file,
                    where,
                    f"rule {rule.id}: review needs a detector with a threshold; "
                    f"{rule.detector['type']!r} has none",
                )
            ]
        )
    threshold = float(getattr(config, key))
    assert rule.review is not None
    if not rule.review < threshold:
        raise PolicyLoadError(
            [
                PolicyProblem(
                    lines.file,
                    where,
                    f"rule {rule.id}: review ({rule.review}) must be below the detector's "
                    f"{key} ({threshold})",
                )
            ]
        )
    try:
        lowered = cls.Config.model_validate({**rule.detector, key: rule.review})
    except ValidationError as exc:
        raise PolicyLoadError(
            [PolicyProblem(lines.file, where, f"rule {rule.id}: review: {exc.errors()[0]['msg']}")]
        ) from exc
    return lowered, threshold


def _source_text(content: bytes) -> str:
    """A policy file as the history keeps it: its text, or what a binary file was."""
    try:
        text = content.decode("utf-8")
        if "\0" not in text:
            return text
    except UnicodeDecodeError:
        pass
    return f"<binary file: {len(content)} bytes, sha256 {hashlib.sha256(content).hexdigest()}>"


def _referenced_files(policy_dir: Path, rules: Iterable[Rule]) -> list[Path]:
    found = []
    for rule in rules:
        for key, value in rule.detector.items():
            if key.endswith("_file") and isinstance(value, str):
                found.append(policy_dir / value)
    return found


def policy_files(paths: Iterable[Path]) -> list[Path]:
    """The policy files among ``paths`` (directories are searched, not recursively)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.iterdir() if p.suffix in POLICY_SUFFIXES and p.is_file()
            )
        else:
            files.append(path)
    return files


def load_policies(paths: Iterable[Path], context: DetectorContext) -> PolicySet:
    """Load and merge every policy file under ``paths``; ``PolicyLoadError`` on any problem."""
    paths = list(paths)
    files = policy_files(paths)
    problems: list[PolicyProblem] = []
    parsed: list[tuple[Path, PolicyFile, _LineMap, bytes]] = []
    for path in files:
        label = str(path)
        try:
            data, lines = _read_yaml(path, label)
        except PolicyLoadError as exc:
            problems += exc.problems
            continue
        except OSError as exc:
            problems.append(PolicyProblem(label, 1, f"cannot read: {exc.strerror}"))
            continue
        problems += lines.problems
        try:
            policy_file = PolicyFile.model_validate(data if data is not None else {})
        except ValidationError as exc:
            problems += _pydantic_problems(exc, lines)
            continue
        parsed.append((path, policy_file, lines, path.read_bytes()))
    if problems:
        raise PolicyLoadError(problems)
    return _merge(parsed, context, str(paths[0]) if len(paths) == 1 else ", ".join(map(str, paths)))


@dataclass
class _Entry:
    """A rule as written, where it was written, and the policy it came from."""

    rule: Rule
    index: int
    file: PolicyFile
    lines: _LineMap
    base_dir: Path
    origin: str
    overridden: bool = False


@dataclass
class _Resolved:
    """A policy with what it inherits folded in, before its detectors are built."""

    entries: list[_Entry]
    tests: list[tuple[str, PolicyTest]]
    constraints: Constraints | None
    version: str
    sources: dict[str, str]
    chain: tuple[str, ...]
    limits: Limits | None = None


Member = tuple[Path, PolicyFile, _LineMap, bytes]


def _merge(parsed: list[Member], context: DetectorContext, directory: str) -> PolicySet:
    problems: list[PolicyProblem] = []
    groups: dict[str, list[Member]] = defaultdict(list)
    for item in parsed:
        groups[item[1].name].append(item)
    resolved: dict[str, _Resolved | None] = {}
    for name in groups:
        _resolve(name, groups, resolved, problems, ())
    policies: dict[str, Policy] = {}
    claimed: dict[str, str] = {}
    for name, members in groups.items():
        apps = tuple(members[0][1].applies_to.apps)
        for _, policy_file, lines, _ in members:
            if tuple(policy_file.applies_to.apps) != apps:
                problems.append(
                    PolicyProblem(
                        lines.file,
                        lines.line(("applies_to",)),
                        f"policy {name!r} is split over files with different applies_to",
                    )
                )
        for app in apps:
            if app in claimed:
                problems.append(
                    PolicyProblem(
                        members[0][2].file,
                        members[0][2].line(("applies_to",)),
                        f"app {app!r} is claimed by policies {claimed[app]!r} and {name!r}",
                    )
                )
            claimed[app] = name
        found = resolved.get(name)
        if found is None:
            continue
        rules: list[CompiledRule] = []
        for entry in found.entries:
            try:
                built = _build_rule(
                    entry.rule, entry.index, entry.file, entry.lines, context, entry.base_dir
                )
                rules.append(replace(built, origin=entry.origin, overridden=entry.overridden))
            except PolicyLoadError as exc:
                problems += exc.problems
        policies[name] = Policy(
            name=name,
            apps=apps,
            files=tuple(str(m[0]) for m in members),
            version=found.version,
            constraints=found.constraints,
            limits=found.limits,
            rules=rules,
            tests=found.tests,
            sources=found.sources,
            chain=found.chain,
        )
    if problems:
        raise PolicyLoadError(problems)
    return PolicySet(policies=policies, directory=directory)


V = TypeVar("V")


def _set_once(
    current: V | None,
    given: V | None,
    key: str,
    name: str,
    lines: _LineMap,
    problems: list[PolicyProblem],
) -> V | None:
    """A policy-wide setting (``constraints``, ``limits``) that at most one file sets."""
    if given is None:
        return current
    if current is not None:
        problems.append(
            PolicyProblem(
                lines.file, lines.line((key,)), f"policy {name!r} sets {key} in more than one file"
            )
        )
    return given


def _resolve(
    name: str,
    groups: dict[str, list[Member]],
    resolved: dict[str, _Resolved | None],
    problems: list[PolicyProblem],
    stack: tuple[str, ...],
) -> _Resolved | None:
    """The policy ``name`` with the policy it ``extends`` folded in (recursively); None
    (with the problems noted) when it cannot be."""
    if name in resolved:
        return resolved[name]
    members = groups[name]
    constraints: Constraints | None = None
    limits: Limits | None = None
    extends: tuple[str, _LineMap] | None = None
    entries: list[_Entry] = []
    tests: list[tuple[str, PolicyTest]] = []
    seen_ids: dict[str, str] = {}
    digest = hashlib.sha256()
    sources: dict[str, str] = {}
    broken = False
    for path, policy_file, lines, raw in members:
        constraints = _set_once(
            constraints, policy_file.constraints, "constraints", name, lines, problems
        )
        limits = _set_once(limits, policy_file.limits, "limits", name, lines, problems)
        if policy_file.extends is not None:
            if extends is not None and extends[0] != policy_file.extends:
                problems.append(
                    PolicyProblem(
                        lines.file,
                        lines.line(("extends",)),
                        f"policy {name!r} extends {extends[0]!r} in another file",
                    )
                )
            extends = (policy_file.extends, lines)
        elif policy_file.overrides:
            problems.append(
                PolicyProblem(
                    lines.file,
                    lines.line(("overrides",)),
                    "overrides change rules a policy inherits: they need `extends`",
                )
            )
        for index, rule in enumerate(policy_file.rules):
            if rule.id in seen_ids:
                problems.append(
                    PolicyProblem(
                        lines.file,
                        lines.line(("rules", index, "id")),
                        f"rule id {rule.id!r} is already used in {seen_ids[rule.id]}",
                    )
                )
                continue
            seen_ids[rule.id] = lines.file
            entries.append(_Entry(rule, index, policy_file, lines, path.parent, name))
        tests += [(lines.file, test) for test in policy_file.tests]
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        sources[path.name] = _source_text(raw)
        for extra in _referenced_files(path.parent, policy_file.rules):
            if extra.is_file():
                content = extra.read_bytes()
                digest.update(extra.name.encode() + b"\0" + content + b"\0")
                sources[extra.name] = _source_text(content)
    chain_tail: tuple[str, ...] = ()
    if extends is not None:
        base_name, lines = extends
        where = lines.line(("extends",))
        base: _Resolved | None = None
        if base_name == name or base_name in stack:
            problems.append(
                PolicyProblem(
                    lines.file,
                    where,
                    f"policy {name!r} extends {base_name!r}, which extends it again: "
                    + " -> ".join((*stack, name, base_name)),
                )
            )
        elif base_name not in groups:
            known = ", ".join(sorted(n for n in groups if n != name)) or "none"
            problems.append(
                PolicyProblem(
                    lines.file, where, f"policy {base_name!r} does not exist (policies: {known})"
                )
            )
        else:
            base = _resolve(base_name, groups, resolved, problems, (*stack, name))
        if base is None:
            broken = True
        else:
            inherited = _overridden(base.entries, members, problems)
            for entry in entries:
                if any(e.rule.id == entry.rule.id for e in inherited):
                    problems.append(
                        PolicyProblem(
                            entry.lines.file,
                            entry.lines.line(("rules", entry.index, "id")),
                            f"rule id {entry.rule.id!r} is inherited from {base_name!r}; "
                            "change it under `overrides`",
                        )
                    )
            entries = inherited + entries
            tests = base.tests + tests
            constraints = constraints or base.constraints
            limits = limits or base.limits
            digest.update(b"extends\0" + base.version.encode())
            chain_tail = base.chain
            # the history keeps the whole text a decision was made under
            sources.update({f"{base_name}/{k}": v for k, v in base.sources.items()})
    if broken:
        resolved[name] = None
        return None
    version = digest.hexdigest()[:16]
    found = _Resolved(
        entries, tests, constraints, version, sources, (f"{name}@{version}", *chain_tail), limits
    )
    resolved[name] = found
    return found


def _overridden(
    inherited: list[_Entry], members: list[Member], problems: list[PolicyProblem]
) -> list[_Entry]:
    """The inherited rules with the child's ``overrides`` applied (switched off, or mode,
    action, threshold, review band or message changed), in their original order."""
    by_id = {e.rule.id: e for e in inherited}
    changed: dict[str, _Entry | None] = {}
    for _, policy_file, lines, _ in members:
        for index, override in enumerate(policy_file.overrides):
            where = lines.line(("overrides", index, "id"))
            entry = by_id.get(override.id)
            if entry is None:
                known = ", ".join(by_id) or "none"
                problems.append(
                    PolicyProblem(
                        lines.file, where, f"no inherited rule {override.id!r} (inherited: {known})"
                    )
                )
                continue
            if not override.enabled:
                changed[override.id] = None
                continue
            update: dict[str, Any] = {
                k: v
                for k, v in {
                    "mode": override.mode,
                    "action": override.action,
                    "review": override.review,
                    "message": override.message,
                }.items()
                if v is not None
            }
            if override.threshold is not None:
                cls = detector_class(str(entry.rule.detector["type"]))
                key = next((k for k in THRESHOLD_KEYS if k in cls.Config.model_fields), None)
                if key is None:
                    problems.append(
                        PolicyProblem(
                            lines.file,
                            lines.line(("overrides", index, "threshold")),
                            f"rule {override.id!r}: its detector has no threshold to change",
                        )
                    )
                    continue
                update["detector"] = {**entry.rule.detector, key: override.threshold}
            try:
                rule = Rule.model_validate({**entry.rule.model_dump(), **update})
            except ValidationError as exc:
                problems += _pydantic_problems(exc, lines, ("overrides", index))
                continue
            changed[override.id] = replace(entry, rule=rule, overridden=True)
    out = []
    for entry in inherited:
        if entry.rule.id in changed:
            kept = changed[entry.rule.id]
            if kept is not None:
                out.append(kept)
        else:
            out.append(entry)
    return out
