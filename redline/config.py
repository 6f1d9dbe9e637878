"""Settings: defaults < config.toml < REDLINE_* environment < overrides (CLI flags, API)."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from redline.errors import ConfigError

APP_NAME = "redline"
ENV_PREFIX = "REDLINE_"


@dataclass(frozen=True)
class Settings:
    """Every knob redline has; each field's metadata says what it means."""

    model: str = field(
        default="",
        metadata={"help": "'' for the embedded SmolLM2, a GGUF path, or a litellm model id"},
    )
    api_base: str = field(default="", metadata={"help": "server URL for a litellm model"})
    api_key: str = field(
        default="",
        metadata={"help": "API key for a litellm model ('': api_key_env, else the provider's)"},
    )
    api_key_env: str = field(
        default="",
        metadata={"help": "name of an environment variable that holds the API key"},
    )
    gpu_layers: int = field(
        default=0,
        metadata={"help": "layers offloaded to the GPU (-1: all, 0: CPU only)", "range": (-1, 999)},
    )
    threads: int = field(
        default=0,
        metadata={"help": "CPU threads for llama.cpp (0: physical cores)", "range": (0, 256)},
    )
    context_size: int = field(
        default=2048,
        # Past 32768 tokens the key/value cache alone outgrows a laptop's memory.
        metadata={"help": "llama.cpp context window in tokens", "range": (256, 32768)},
    )
    max_tokens: int = field(
        default=16, metadata={"help": "longest completion, in tokens", "range": (1, 64)}
    )
    context_chars: int = field(
        default=2400,
        metadata={
            "help": "characters of your own writing shown to the model per completion",
            "range": (0, 20_000),
        },
    )
    embedding_device: str = field(
        default="auto",
        metadata={"help": "device for embeddings", "choices": ("auto", "cpu", "cuda")},
    )
    learning: bool = field(default=True, metadata={"help": "learn from your writing and edits"})
    data_dir: str = field(default="", metadata={"help": "where memory lives ('' for the default)"})

    @property
    def data_path(self) -> Path:
        """The data directory, resolved to its platform default when unset."""
        return Path(self.data_dir).expanduser() if self.data_dir else default_data_dir()


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_path(environ: dict[str, str] | None = None) -> Path:
    """The config file: $REDLINE_CONFIG, else the platform's config dir."""
    env = (os.environ if environ is None else environ).get(ENV_PREFIX + "CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def fields() -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any, source: str) -> Any:
    """Convert a raw value (TOML value or environment string) to the field's type."""
    spec = fields()[name]
    kind = type(spec.default)
    try:
        if kind is bool:
            if isinstance(value, bool):
                result: Any = value
            elif isinstance(value, str) and value.lower() in ("1", "true", "yes", "on"):
                result = True
            elif isinstance(value, str) and value.lower() in ("0", "false", "no", "off"):
                result = False
            else:
                raise ValueError
        elif kind is int:
            if isinstance(value, bool | float):
                raise ValueError
            result = int(value)
        else:
            if not isinstance(value, str):
                raise ValueError
            result = value
    except (TypeError, ValueError):
        raise ConfigError(
            f"{source}: {name} = {value!r} is not a valid {kind.__name__}",
            f"set {name} to a {kind.__name__} ({spec.metadata['help']})",
        ) from None
    bounds = spec.metadata.get("range")
    if bounds and not bounds[0] <= result <= bounds[1]:
        raise ConfigError(
            f"{source}: {name} = {value!r} is out of range",
            f"set {name} to a whole number from {bounds[0]} to {bounds[1]} "
            f"({spec.metadata['help']})",
        )
    choices = spec.metadata.get("choices")
    if choices and result not in choices:
        raise ConfigError(
            f"{source}: {name} = {value!r} is not one of {', '.join(choices)}",
            f"set {name} to one of: {', '.join(choices)}",
        )
    return result


def _check_known(name: str, source: str) -> None:
    if name not in fields():
        raise ConfigError(
            f"{source}: unknown setting {name!r}",
            f"valid settings: {', '.join(fields())}",
        )


def read_config_file(path: Path) -> dict[str, Any]:
    """The validated settings of one config.toml; a missing file gives none."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", f"fix or remove {path}") from None
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the config file ({exc.strerror})",
            "make it a readable file, or point REDLINE_CONFIG / --config elsewhere",
        ) from None
    values = {}
    for name, value in raw.items():
        _check_known(name, str(path))
        values[name] = _coerce(name, value, str(path))
    return values


def read_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings from REDLINE_* variables (REDLINE_CONFIG names the file, it is no setting)."""
    environ = dict(os.environ if environ is None else environ)
    values = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == ENV_PREFIX + "CONFIG":
            continue
        name = key[len(ENV_PREFIX) :].lower()
        _check_known(name, f"environment variable {key}")
        values[name] = _coerce(name, value, f"environment variable {key}")
    return values


def load_settings(
    overrides: dict[str, Any] | None = None,
    config_path: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Merge the layers; ``None`` values in ``overrides`` mean 'not given'."""
    values: dict[str, Any] = {}
    values.update(read_config_file(config_path or default_config_path(environ)))
    values.update(read_environment(environ))
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        _check_known(name, "argument")
        values[name] = _coerce(name, value, "argument")
    return Settings(**values)


def render_toml(settings: Settings) -> str:
    """A commented config.toml holding ``settings``."""
    import tomli_w

    lines = []
    for name, spec in fields().items():
        lines.append(f"# {spec.metadata['help']}")
        lines.append(tomli_w.dumps({name: getattr(settings, name)}).strip())
    return "\n".join(lines) + "\n"
