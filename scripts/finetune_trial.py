"""Trial: does MiniLM fine-tuned end to end (its top layers, not a head over frozen vectors)
generalise to sources it never saw better than the shipped heads?

    python scripts/finetune_trial.py DATA.jsonl... --hold-out SOURCE[,SOURCE...] \
        [--extra-negatives LINES.txt] [--extra-positives LINES.txt] [--top-layers 2]

Rows are ``{"text", "label", "category"}`` as for scripts/train_heads.py (``benign`` is the
negative class; ``category`` up to its first ``:`` names the source). Every row of the
held-out sources is left out of training; the model is fit on the rest and the held-out rows
are scored, so the printed TPR and FPR are for collections the model never saw. To keep this
affordable on a CPU the lower layers stay frozen: their output is computed once, and only
the top ``--top-layers`` transformer layers and a linear layer over the mean-pooled tokens
are trained. Writes nothing; prints JSON. A trial for choosing a model, not a shipped
artifact builder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, nargs="+")
    parser.add_argument("--hold-out", required=True, help="comma-separated sources")
    parser.add_argument("--extra-negatives", type=Path, action="append", default=[])
    parser.add_argument("--extra-positives", type=Path, action="append", default=[])
    parser.add_argument("--benign-from", type=Path, action="append", default=[])
    parser.add_argument("--top-layers", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--target-fpr", type=float, default=0.05)
    args = parser.parse_args()
    torch.manual_seed(0)
    held = set(args.hold_out.split(","))

    texts: list[str] = []
    labels: list[int] = []
    sources: list[str] = []
    for path, benign_only in (
        *((p, False) for p in args.data),
        *((p, True) for p in args.benign_from),
    ):
        for line in path.read_text("utf-8").split("\n"):
            if not line.strip():
                continue
            row = json.loads(line)
            if benign_only and row["label"] != "benign":
                continue
            texts.append(row["text"])
            labels.append(int(row["label"] != "benign"))
            sources.append(row.get("category", path.stem).split(":")[0])
    for path, label in (
        *((p, 0) for p in args.extra_negatives),
        *((p, 1) for p in args.extra_positives),
    ):
        lines = [
            t.strip()
            for t in path.read_text("utf-8").splitlines()
            if t.strip() and not t.startswith("#")
        ]
        texts += lines
        labels += [label] * len(lines)
        sources += [path.stem] * len(lines)
    y = np.array(labels)
    src = np.array(sources)
    test = np.isin(src, sorted(held))
    if not test.any():
        sys.exit(f"no rows of {sorted(held)}; sources: {sorted(set(sources))}")
    log(f"{len(texts)} rows, {int(test.sum())} held out ({sorted(held)})")

    from transformers import AutoModel, AutoTokenizer

    from guard.detectors.semantic import bundled_embedding_model

    path = str(bundled_embedding_model())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path)
    model.eval()
    layers = model.encoder.layer
    frozen = len(layers) - args.top_layers

    started = time.perf_counter()
    hidden, masks = [], []
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            batch = tokenizer(
                texts[i : i + 64],
                truncation=True,
                max_length=args.max_tokens,
                padding="max_length",
                return_tensors="pt",
            )
            out = model(**batch, output_hidden_states=True)
            hidden.append(out.hidden_states[frozen].half())
            masks.append(batch["attention_mask"])
    states = torch.cat(hidden)
    mask = torch.cat(masks)
    log(f"lower {frozen} layers: {time.perf_counter() - started:.0f} s")

    top = torch.nn.ModuleList(layers[frozen:])
    head = torch.nn.Linear(model.config.hidden_size, 1)
    top.train()
    optimizer = torch.optim.AdamW(
        [{"params": top.parameters(), "lr": 3e-5}, {"params": head.parameters(), "lr": 1e-3}]
    )

    def forward(index: torch.Tensor) -> torch.Tensor:
        h = states[index].float()
        m = mask[index]
        extended = (1.0 - m[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in top:
            out = layer(h, attention_mask=extended)
            h = out[0] if isinstance(out, tuple) else out
        pooled = (h * m[..., None]).sum(1) / m.sum(1, keepdim=True)
        return head(pooled)[:, 0]

    train_index = torch.tensor(np.flatnonzero(~test))
    # Balance the classes in the loss: the negatives outnumber the positives.
    positive_weight = torch.tensor(float((y[~test] == 0).sum() / max(1, (y[~test] == 1).sum())))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=positive_weight)
    targets = torch.tensor(y, dtype=torch.float32)
    for epoch in range(args.epochs):
        order = train_index[torch.randperm(len(train_index))]
        for i in range(0, len(order), args.batch):
            index = order[i : i + args.batch]
            loss = loss_fn(forward(index), targets[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        log(f"epoch {epoch + 1}: {time.perf_counter() - started:.0f} s")

    top.eval()
    with torch.no_grad():
        scores = np.concatenate(
            [
                torch.sigmoid(forward(torch.tensor(chunk))).numpy()
                for chunk in np.array_split(np.arange(len(texts)), max(1, len(texts) // 128))
            ]
        )
    held_scores, held_labels = scores[test], y[test]

    def at(threshold: float) -> dict[str, float | None]:
        flagged = held_scores >= threshold
        pos, neg = held_labels == 1, held_labels == 0
        return {
            "tpr": round(float(flagged[pos].mean()), 4) if pos.any() else None,
            "fpr": round(float(flagged[neg].mean()), 4) if neg.any() else None,
        }

    report = {
        "held_out": sorted(held),
        "rows": len(texts),
        "top_layers": args.top_layers,
        "at": {str(t): at(t) for t in (0.3, 0.5, 0.7, 0.9)},
        "flagged_per_source_at_0.5": {
            s: round(float((scores[src == s] >= 0.5).mean()), 4) for s in sorted(held)
        },
        "seconds": round(time.perf_counter() - started),
    }
    print(json.dumps(report, indent=2))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
