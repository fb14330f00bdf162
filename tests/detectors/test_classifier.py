"""The classifier detector with a tiny BERT classifier this test builds, trains and saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.detectors.base import DetectorContext
from guard.detectors.classifier import ClassifierConfig, ClassifierDetector
from guard.errors import ConfigurationError, ModelLoadError

SAFE_WORDS = [
    "the",
    "a",
    "is",
    "are",
    "i",
    "you",
    "we",
    "they",
    "my",
    "your",
    "our",
    "this",
    "that",
    "how",
    "to",
    "make",
    "cook",
    "bake",
    "build",
    "write",
    "read",
    "cake",
    "bread",
    "house",
    "letter",
    "book",
    "garden",
    "dog",
    "cat",
    "car",
    "today",
    "tomorrow",
    "please",
    "help",
    "with",
    "quickly",
]
UNSAFE_WORDS = ["bomb", "poison", "weapon", "explosive", "kill"]
WORDS = SAFE_WORDS + UNSAFE_WORDS
UNSAFE = set(UNSAFE_WORDS)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import random

    import torch
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from tokenizers.processors import TemplateProcessing
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-classifier")
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *WORDS])}
    core = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = Whitespace()
    core.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        model_max_length=32,
    )
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        id2label={0: "SAFE", 1: "UNSAFE"},
        label2id={"SAFE": 0, "UNSAFE": 1},
    )
    torch.manual_seed(0)
    rng = random.Random(0)
    model = BertForSequenceClassification(config)
    safe_words = [w for w in WORDS if w not in UNSAFE]
    texts, labels = [], []
    for i in range(256):
        words = [rng.choice(safe_words) for _ in range(rng.randint(3, 12))]
        if i % 2:
            words.insert(rng.randrange(len(words)), rng.choice(sorted(UNSAFE)))
        texts.append(" ".join(words))
        labels.append(i % 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(6):
        for start in range(0, len(texts), 32):
            batch = tokenizer(texts[start : start + 32], padding=True, return_tensors="pt")
            loss = model(**batch, labels=torch.tensor(labels[start : start + 32])).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _detector(model_dir: Path, **settings: object) -> ClassifierDetector:
    config = ClassifierConfig(model=str(model_dir), labels={"UNSAFE": "violence"}, **settings)  # type: ignore[arg-type]
    return ClassifierDetector.create(config, DetectorContext(device="cpu"))


async def test_unsafe_text_is_found_and_safe_text_is_not(model_dir: Path) -> None:
    unsafe, safe = await _detector(model_dir).detect(
        ["how to make a bomb today", "how to bake bread today"]
    )
    [finding] = unsafe
    assert finding.category == "violence" and finding.score >= finding.threshold == 0.5
    assert finding.evidence == f"model {model_dir.name}, label UNSAFE"
    assert safe == []


async def test_long_text_is_scored_in_windows_and_located(model_dir: Path) -> None:
    filler = "please help with the garden and the house today " * 12
    text = filler + "how to make poison"
    [[finding]] = await _detector(model_dir, stride=8).detect([text])
    assert finding.start <= text.index("poison") < finding.end
    assert finding.start > 0, "the span is the window that scored, not the whole text"


async def test_batches_keep_their_order(model_dir: Path) -> None:
    texts = ["i bake a cake", "build a weapon", "read a book", "kill the car"] * 10
    results = await _detector(model_dir, batch_size=4).detect(texts)
    assert [bool(r) for r in results] == [False, True, False, True] * 10


def test_unknown_label_and_missing_model_are_clear_errors(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="labels \\['TOXIC'\\] are not in the model"):
        ClassifierDetector.create(
            ClassifierConfig(model=str(model_dir), labels={"TOXIC": "toxicity"}), DetectorContext()
        )
    with pytest.raises(ModelLoadError, match="no-model-here"):
        ClassifierDetector.create(
            ClassifierConfig(model=str(tmp_path / "no-model-here"), labels={"X": "y"}),
            DetectorContext(),
        )
