"""Check the streaming hold-back's leads on labelled texts: nothing a stream releases early
is later part of a finding.

For every prefix of every text (every ``--step`` characters), a stream releases what lies
before ``Evaluator.stream_lead`` of the window it reads (as ``StreamGuard`` does: the last
``--holdback`` characters and 16 before them), and what lies further back than the window.
A violation is a character released by the lead which a finding of the whole text covers
while no finding of the prefix does (the stream redacts or holds what the prefix's own
findings cover). What lies further back than the window is released whatever it is (a
finding longer than the window is cut where it is found), so it is not counted.
Any JSONL file with a
``text`` field does; the figures in the README come from the shared dev sets:

    .venv/bin/python scripts/check_stream_leads.py --step 3 data/pii.jsonl data/injection.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from guard.app import detector_context
from guard.config import Settings
from guard.policy.evaluate import Evaluator
from guard.policy.loader import load_policies


def _covered(evaluation_fired: list, length: int) -> list[bool]:  # type: ignore[type-arg]
    covered = [False] * length
    for fired in evaluation_fired:
        for i in range(fired.finding.start, min(fired.finding.end, length)):
            covered[i] = True
    return covered


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--step", type=int, default=3, help="characters between prefixes")
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts per file")
    parser.add_argument("--policy", type=Path, default=Path("policies"))
    parser.add_argument("--holdback", type=int, default=96, help="GUARD_STREAM_HOLDBACK_CHARS")
    args = parser.parse_args()

    policy = load_policies([args.policy], detector_context(Settings())).for_app("anonymous")
    evaluator = Evaluator()
    texts = 0
    prefixes = 0
    violations = 0
    for path in args.files:
        rows = [json.loads(line) for line in path.read_text().split("\n") if line.strip()]
        for row in rows[: args.limit or None]:
            text = row["text"]
            texts += 1
            whole = await evaluator.evaluate(policy, "output", [text])
            final = _covered(whole.outcome.fired, len(text))
            for end in range(1, len(text), args.step):
                prefix = text[:end]
                prefixes += 1
                floor = max(0, end - args.holdback)
                start = max(0, floor - 16)
                cut = max(floor, start + evaluator.stream_lead(policy, prefix[start:]))
                if not any(final[floor:cut]):
                    continue  # what the lead releases is in no finding of the whole text
                partial = await evaluator.evaluate(policy, "output", [prefix])
                known = _covered(partial.outcome.fired, end)
                early = [i for i in range(floor, cut) if final[i] and not known[i]]
                if early:
                    violations += 1
                    print(f"{path.name}: released early {prefix[early[0] : cut]!r} of {text!r}")
    print(json.dumps({"texts": texts, "prefixes": prefixes, "violations": violations}))


if __name__ == "__main__":
    asyncio.run(main())
