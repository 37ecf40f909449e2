"""Shared fixtures. Every test gets its own data dir and config dir, and Ollama
points at a closed port unless a test starts the Ollama-compatible server."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from interviewer.grading import Grader
    from interviewer.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BUNDLED_CORPUS = REPO / "corpus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    # Nothing listens here: a test that forgets the fake server fails fast, never
    # reaching a real Ollama.
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")
    for var in ("INTERVIEWER_CORPUS", "INTERVIEWER_MODEL", "INTERVIEWER_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture(autouse=True)
def python_sigint() -> Iterator[None]:
    """Python's own Ctrl-C handler for every test. A shell that starts the suite as a
    background job hands it SIGINT ignored, and Python then keeps it ignored; the
    tests that send themselves a real SIGINT would see nothing happen."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.fixture
def home(isolated_env: Path) -> Path:
    return isolated_env


# The bundled notes, graded without a model: one data dir, settings and grader per test
# module that asks for them (building the bank is what costs; a module may define its
# own ``settings`` or ``grader`` instead).
@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bundled-home")


@pytest.fixture(scope="module")
def settings(module_home: Path) -> Settings:
    from interviewer.settings import load_settings

    return load_settings(home=module_home, corpus=BUNDLED_CORPUS, use_llm=False)


@pytest.fixture(scope="module")
def grader(settings: Settings) -> Grader:
    from interviewer.grading import Grader

    return Grader.open(settings, use_llm=False)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    import shutil

    dest = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, dest)
    return dest



from tests.ollama_server import OllamaServer  # noqa: E402


@pytest.fixture
def ollama_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OllamaServer]:
    """An Ollama-API-compatible server on 127.0.0.1 (see tests/ollama_server.py);
    OLLAMA_HOST points at it. Script replies with ``ollama_server.reply(...)``."""
    server = OllamaServer().start()
    monkeypatch.setenv("OLLAMA_HOST", server.url)
    try:
        yield server
    finally:
        server.stop()


from tests.web_server import WebServer  # noqa: E402  (appended section)


@pytest.fixture
def web_server() -> Iterator[WebServer]:
    """A local web site with awkward pages (see tests/web_server.py) on 127.0.0.1.
    Fetching from it needs INTERVIEWER_ALLOW_PRIVATE_URLS (loopback is refused otherwise)."""
    server = WebServer().start()
    try:
        yield server
    finally:
        server.stop()
