"""Settings: defaults < config.toml < REDLINE_* environment < explicit overrides."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest

from redline.config import (
    Settings,
    default_config_path,
    default_data_dir,
    fields,
    load_settings,
    read_config_file,
    read_environment,
    render_toml,
)
from redline.errors import ConfigError, RedlineError

ALL_SETTINGS = [f.name for f in dataclasses.fields(Settings)]


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """Where a test writes its config.toml (absent until written)."""
    return tmp_path / "config.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- defaults and layers --------------------------------------------------------------------


def test_defaults_when_no_file_and_no_environment(config_file: Path) -> None:
    settings = load_settings(config_path=config_file, environ={})
    assert settings == Settings()
    assert settings.model == ""
    assert settings.gpu_layers == 0
    assert settings.context_size == 2048
    assert settings.max_tokens == 16
    assert settings.embedding_device == "auto"
    assert settings.learning is True
    assert settings.data_dir == ""


def test_every_setting_has_help_text() -> None:
    for name, spec in fields().items():
        assert spec.metadata.get("help"), name


def test_config_file_layer(config_file: Path) -> None:
    write(
        config_file,
        'model = "ollama/llama3"\ngpu_layers = -1\nlearning = false\nembedding_device = "cpu"\n',
    )
    settings = load_settings(config_path=config_file, environ={})
    assert settings.model == "ollama/llama3"
    assert settings.gpu_layers == -1
    assert settings.learning is False
    assert settings.embedding_device == "cpu"
    # Untouched settings keep their defaults.
    assert settings.max_tokens == Settings().max_tokens


def test_environment_beats_file(config_file: Path) -> None:
    write(config_file, 'model = "from-file"\nmax_tokens = 5\nthreads = 3\n')
    environ = {"REDLINE_MODEL": "from-env", "REDLINE_MAX_TOKENS": "7", "HOME": "/nowhere"}
    settings = load_settings(config_path=config_file, environ=environ)
    assert settings.model == "from-env"
    assert settings.max_tokens == 7
    assert settings.threads == 3  # only in the file


def test_overrides_beat_environment_and_file(config_file: Path) -> None:
    write(config_file, 'model = "from-file"\nmax_tokens = 5\n')
    environ = {"REDLINE_MODEL": "from-env", "REDLINE_LEARNING": "off"}
    settings = load_settings(
        {"model": "from-flag", "max_tokens": None, "learning": True},
        config_path=config_file,
        environ=environ,
    )
    assert settings.model == "from-flag"
    assert settings.max_tokens == 5  # None means "flag not given"
    assert settings.learning is True


def test_override_values_are_validated(config_file: Path) -> None:
    with pytest.raises(ConfigError, match="max_tokens"):
        load_settings({"max_tokens": "lots"}, config_path=config_file, environ={})
    with pytest.raises(ConfigError, match="bogus"):
        load_settings({"bogus": 1}, config_path=config_file, environ={})


def test_environment_ignores_unrelated_variables() -> None:
    environ = {"PATH": "/bin", "REDLINEX": "1", "redline_model": "x", "REDLINE_THREADS": "2"}
    assert read_environment(environ) == {"threads": 2}


def test_redline_config_variable_is_not_a_setting() -> None:
    assert read_environment({"REDLINE_CONFIG": "/some/where.toml"}) == {}


# -- errors ----------------------------------------------------------------------------------


def test_unknown_key_in_file_names_key_file_and_valid_settings(config_file: Path) -> None:
    write(config_file, 'modle = "typo"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=config_file, environ={})
    message = str(caught.value)
    assert "modle" in message
    assert str(config_file) in message
    for name in ALL_SETTINGS:
        assert name in message
    assert caught.value.exit_code == 2
    assert isinstance(caught.value, RedlineError)


def test_unknown_environment_variable_is_named() -> None:
    with pytest.raises(ConfigError) as caught:
        read_environment({"REDLINE_GPU_LAYER": "1"})
    message = str(caught.value)
    assert "REDLINE_GPU_LAYER" in message
    assert "gpu_layers" in message  # the valid settings are listed


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('gpu_layers = "many"', "gpu_layers"),
        ("threads = 1.5", "threads"),
        ("max_tokens = true", "max_tokens"),
        ('learning = "perhaps"', "learning"),
        ("learning = 1", "learning"),
        ("model = 3", "model"),
        ("api_base = [1, 2]", "api_base"),
    ],
)
def test_bad_value_in_file_names_the_key(config_file: Path, toml: str, key: str) -> None:
    write(config_file, toml + "\n")
    with pytest.raises(ConfigError) as caught:
        read_config_file(config_file)
    message = str(caught.value)
    assert key in message
    assert str(config_file) in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDLINE_CONTEXT_SIZE", "big"),
        ("REDLINE_CONTEXT_SIZE", "2.5"),
        ("REDLINE_GPU_LAYERS", ""),
        ("REDLINE_LEARNING", "maybe"),
        ("REDLINE_LEARNING", ""),
    ],
)
def test_bad_environment_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_environment({variable: value})
    message = str(caught.value)
    assert variable in message
    assert variable.removeprefix("REDLINE_").lower() in message
    assert repr(value) in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("Yes", True), ("ON", True)]
    + [("0", False), ("false", False), ("No", False), ("off", False)],
)
def test_boolean_spellings(value: str, expected: bool) -> None:
    assert read_environment({"REDLINE_LEARNING": value}) == {"learning": expected}


def test_integers_from_environment() -> None:
    assert read_environment({"REDLINE_GPU_LAYERS": "-1"}) == {"gpu_layers": -1}


def test_invalid_embedding_device_lists_the_choices(config_file: Path) -> None:
    write(config_file, 'embedding_device = "gpu"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=config_file, environ={})
    message = str(caught.value)
    assert "embedding_device" in message
    assert "'gpu'" in message
    for choice in ("auto", "cpu", "cuda"):
        assert choice in message


def test_invalid_embedding_device_from_environment() -> None:
    with pytest.raises(ConfigError, match="auto, cpu, cuda"):
        read_environment({"REDLINE_EMBEDDING_DEVICE": "tpu"})


@pytest.mark.parametrize("text", ["model = \n", "[unclosed\n", 'model = "a"\nmodel = "b"\n'])
def test_invalid_toml(config_file: Path, text: str) -> None:
    write(config_file, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=config_file, environ={})
    message = str(caught.value)
    assert "not valid TOML" in message
    assert str(config_file) in message


def test_config_file_not_utf8(config_file: Path) -> None:
    config_file.write_bytes(b'model = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_config_file(config_file)


def test_missing_config_file_gives_no_settings(tmp_path: Path) -> None:
    assert read_config_file(tmp_path / "absent.toml") == {}


def test_config_path_that_is_a_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_settings(config_path=tmp_path, environ={})


def test_redline_config_in_given_environ_names_the_file(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDLINE_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    write(config_file, "max_tokens = 9\n")
    settings = load_settings(environ={"REDLINE_CONFIG": str(config_file)})
    assert settings.max_tokens == 9


# -- rendering and paths ---------------------------------------------------------------------


def unusual_settings() -> Settings:
    """Every setting away from its default, strings with characters TOML must escape."""
    values: dict[str, Any] = {}
    for name, spec in fields().items():
        default = spec.default
        if isinstance(default, bool):
            values[name] = not default
        elif isinstance(default, int):  # the low end of its range, unlike the default
            low, high = spec.metadata["range"]
            values[name] = low if default != low else high
        elif spec.metadata.get("choices"):
            values[name] = next(c for c in spec.metadata["choices"] if c != default)
        else:
            values[name] = f"{name} 'single' \"double\" back\\slash ünï\ttab"
    return Settings(**values)


@pytest.mark.parametrize("settings", [Settings(), unusual_settings()], ids=["defaults", "unusual"])
def test_render_toml_round_trips(config_file: Path, settings: Settings) -> None:
    if settings != Settings():
        assert all(getattr(settings, name) != spec.default for name, spec in fields().items())
    text = render_toml(settings)
    for name, spec in fields().items():
        assert f"# {spec.metadata['help']}" in text, name
    write(config_file, text)
    assert read_config_file(config_file) == dataclasses.asdict(settings)
    assert load_settings(config_path=config_file, environ={}) == settings


def test_data_path_expands_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings(data_dir="~/notes").data_path == tmp_path / "notes"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are Linux conventions")
def test_platform_default_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("REDLINE_CONFIG", raising=False)
    assert default_data_dir() == tmp_path / "share" / "redline"
    assert Settings().data_path == tmp_path / "share" / "redline"
    assert default_config_path() == tmp_path / "config" / "redline" / "config.toml"


def test_redline_config_variable_moves_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("REDLINE_CONFIG", "~/elsewhere.toml")
    assert default_config_path() == tmp_path / "elsewhere.toml"


@pytest.mark.parametrize(
    ("variable", "value", "bounds"),
    [
        ("REDLINE_CONTEXT_SIZE", "99999999999", "256 to 32768"),
        ("REDLINE_THREADS", "-3", "0 to 256"),
        ("REDLINE_MAX_TOKENS", "0", "1 to 64"),
        ("REDLINE_GPU_LAYERS", "-2", "-1 to 999"),
        ("REDLINE_CONTEXT_CHARS", "-1", "0 to 20000"),
    ],
)
def test_numbers_out_of_range_name_the_key_the_range_and_the_source(
    variable: str, value: str, bounds: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        read_environment({variable: value})
    message = str(caught.value)
    assert variable in message and "out of range" in message and bounds in message


def test_a_number_out_of_range_in_the_file_or_an_argument_is_refused(config_file: Path) -> None:
    write(config_file, "context_size = 99999999999\n")
    with pytest.raises(ConfigError, match=r"config.toml: context_size = 99999999999 is out"):
        read_config_file(config_file)
    with pytest.raises(ConfigError, match="argument: threads = -3 is out of range"):
        load_settings({"threads": -3}, config_path=config_file.with_name("none.toml"), environ={})
