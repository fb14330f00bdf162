"""Trial: SmolLM2-135M-Instruct's hidden states as features for the harmful and injection
rules, scored leave-one-source-out (every source by a head that never saw it).

    python scripts/smollm_hidden_trial.py DEV_DIR [--cache /tmp/smollm-feats.npz]

Each text goes through the bundled model's chat template as a user turn (at most 224
tokens: the first and last 112); the last token's state and the mean over tokens are kept
for every layer. A standardised logistic regression per layer, trained on every other
source plus the generated prompts in scripts/data (which train, never score), scores each
held-out source. About 30 minutes on two CPU cores for the features.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
GENERATED = {
    "benign_varied.txt": "benign",
    "everyday_prompts.txt": "benign",
    "everyday_requests.txt": "benign",
    "short_turns.txt": "benign",
    "harmful_varied.txt": "harmful",
}
SOURCES = {
    "wildguard": "wildguard",
    "xstest": "xstest",
    "donotanswer": "donotanswer",
    "adv_bench": "advbench",
    "strongreject": "strongreject",
    "NotInject": "notinject",
    "inthewild": "in_the_wild",
    "Giskard": "giskard",
    "JBC": "jbc",
    "PAIR": "pair",
}


def _rows(dev: Path) -> list[tuple[str, str, str]]:
    rows, seen = [], set()
    for name in ("harmful.jsonl", "injection.jsonl"):
        for line in (dev / name).read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            row = json.loads(line)
            source = next((v for k, v in SOURCES.items() if k in row.get("source", "")), name)
            rows.append((row["text"], row["label"], source))
    for name, label in GENERATED.items():
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                rows.append((line.strip(), label, "generated"))
    unique = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    return unique


def features(rows: list[tuple[str, str, str]]) -> dict[str, np.ndarray]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from guard.generators.local_model import resolve_model_dir
    from guard.paths import default_cache_dir

    torch.set_num_threads(2)
    folder = resolve_model_dir("SmolLM2-135M-Instruct", default_cache_dir())
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    last, mean = [], []
    with torch.inference_mode():
        for text, _, _ in rows:
            prompt = tokenizer.apply_chat_template(
                [{"role": "user", "content": text}], add_generation_prompt=True, tokenize=False
            )
            ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids
            if ids.shape[1] > 224:
                ids = torch.cat([ids[:, :112], ids[:, -112:]], 1)
            states = torch.stack(model(ids, output_hidden_states=True).hidden_states)[:, 0]
            last.append(states[:, -1].numpy().astype(np.float16))
            mean.append(states.mean(1).numpy().astype(np.float16))
    return {"last": np.stack(last), "mean": np.stack(mean)}


def loso(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scores = np.full(len(y), np.nan)
    for source in sorted(set(groups) - {"generated"}):
        held = groups == source
        scaler = StandardScaler().fit(x[~held])
        head = LogisticRegression(C=0.05, max_iter=2000, class_weight="balanced")
        head.fit(scaler.transform(x[~held]), y[~held])
        scores[held] = head.predict_proba(scaler.transform(x[held]))[:, 1]
    scored = groups != "generated"
    return scores[scored], y[scored]


def main() -> None:
    from sklearn.metrics import roc_auc_score

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dev", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/smollm-feats.npz"))
    args = parser.parse_args()
    rows = _rows(args.dev)
    if args.cache.exists():
        found = dict(np.load(args.cache))
    else:
        found = features(rows)
        np.savez(args.cache, **found)
    labels = np.array([r[1] for r in rows])
    groups = np.array([r[2] for r in rows])
    tasks = {
        "harmful": (
            (labels == "harmful").astype(int),
            ~np.isin(groups, ["in_the_wild", "giskard", "jbc", "pair"]),
        ),
        "injection": (
            np.isin(labels, ["injection", "jailbreak"]).astype(int),
            np.ones(len(rows), bool),
        ),
    }
    for task, (y, keep) in tasks.items():
        for kind in ("last", "mean"):
            for layer in (10, 20, 30):
                x = found[kind][:, layer].astype(np.float32)[keep]
                scores, truth = loso(x, y[keep], groups[keep])
                negatives = np.sort(scores[truth == 0])
                cut = negatives[int(0.95 * len(negatives))]
                print(
                    f"{task:9s} {kind:4s} layer {layer:2d}: AUC {roc_auc_score(truth, scores):.3f}"
                    f"  at 0.5 TPR {np.mean(scores[truth == 1] >= 0.5):.2f}"
                    f" FPR {np.mean(scores[truth == 0] >= 0.5):.2f}"
                    f"  at FPR 5% TPR {np.mean(scores[truth == 1] > cut):.2f}"
                )


if __name__ == "__main__":
    main()
