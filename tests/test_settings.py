"""Settings precedence: config file < environment < command-line overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.errors import ConfigError
from interviewer.settings import bundled_corpus_dir, default_home, load_settings


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "interviewer" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_point_at_the_bundled_corpus(home: Path) -> None:
    settings = load_settings()
    assert settings.corpus_dir == bundled_corpus_dir()
    assert (settings.corpus_dir / "notes" / "ml-interview-notes.md").is_file()
    assert settings.index_dir.parent == home / "indexes"
    assert settings.store_mode == "embedded"


def test_config_file_then_environment_then_flags(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(home, 'model = "from-file"\ntop_k = 7\nchroma_port = 9000\n')
    settings = load_settings()
    assert (settings.model, settings.top_k, settings.chroma_port) == ("from-file", 7, 9000)
    monkeypatch.setenv("INTERVIEWER_MODEL", "from-env")
    settings = load_settings()
    assert settings.model == "from-env" and settings.top_k == 7
    settings = load_settings(model="from-flag", top_k=None)
    assert settings.model == "from-flag" and settings.top_k == 7


def test_broken_config_file_is_one_clear_line(home: Path) -> None:
    path = write_config(home, "model = \n")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_each_corpus_dir_gets_its_own_index(tmp_path: Path) -> None:
    a = load_settings(corpus=tmp_path / "a")
    b = load_settings(corpus=tmp_path / "b")
    assert a.index_dir != b.index_dir
    assert load_settings(corpus=tmp_path / "a").index_dir == a.index_dir


def test_invalid_values_and_unknown_names_are_one_clear_line(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad value names the setting, the value and where it came from; a misspelt
    name in the config file is reported, not silently ignored."""
    path = write_config(home, 'top_k = "lots"\n')
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "top_k = 'lots'" in message and str(path) in message and "\n" not in message

    write_config(home, "tpo_k = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'tpo_k'"):
        load_settings()

    write_config(home, "")
    monkeypatch.setenv("INTERVIEWER_EMBEDDING_BACKEND", "foo")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "INTERVIEWER_EMBEDDING_BACKEND" in message and "'foo'" in message
    assert "\n" not in message


def test_empty_home_means_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`INTERVIEWER_HOME=""` must not put the database and indexes in the current dir."""
    monkeypatch.setenv("INTERVIEWER_HOME", "")
    monkeypatch.setenv("INTERVIEWER_CORPUS", "")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.home == default_home() and settings.home.is_absolute()
    assert settings.home.resolve() != tmp_path
    assert settings.corpus_dir == bundled_corpus_dir()
