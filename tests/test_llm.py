"""The model layer against the Ollama-compatible test server, through the real
``ollama`` client over HTTP: what is sent, what comes back, and every failure."""

from __future__ import annotations

import time
from pathlib import Path

import ollama
import pytest
from pydantic import BaseModel, Field

from interviewer.errors import InterviewerError, LLMError
from interviewer.feedback import Feedback
from interviewer.llm import (
    LLM,
    GenerateOptions,
    LLMConnectionLostError,
    LLMTimeoutError,
    LLMUnreachableError,
    Message,
    ModelMissingError,
    ResponseCache,
    SQLiteResponseCache,
    base_url,
    cache_key,
    has_model,
    is_empty_value,
    list_models,
    make_llm,
    ping,
    server_version,
)
from interviewer.settings import Settings, load_settings

from .ollama_server import OllamaServer, Reply, example_from_schema, hashed_embedding


class Critique(BaseModel):
    summary: str
    points: list[str]
    score: int = Field(ge=0, le=10)


QUESTION = [
    Message.system("You grade interview answers."),
    Message.user("Q: What is dropout? A: It drops units at random during training."),
]
VALID = {"summary": "Correct and brief.", "points": ["mentions training only"], "score": 7}


def llm_for(settings: Settings, cache: ResponseCache | None = None) -> LLM:
    llm = make_llm(settings, cache=cache)
    assert llm is not None
    return llm


# ---- plain chat ------------------------------------------------------------------------
def test_chat_sends_model_messages_options_and_keep_alive(ollama_server: OllamaServer) -> None:
    ollama_server.reply("Dropout regularises a network.")
    settings = load_settings(temperature=0.1, seed=7, num_predict=300, num_ctx=4096)
    text = llm_for(settings).chat(QUESTION)

    assert text == "Dropout regularises a network."
    [req] = ollama_server.chat_requests()
    assert req["model"] == "qwen2.5:7b-instruct"
    assert req["messages"] == [m.model_dump() for m in QUESTION]
    assert req["stream"] is False
    assert req["options"] == {"temperature": 0.1, "seed": 7, "num_predict": 300, "num_ctx": 4096}
    assert req["keep_alive"] == "10m"
    assert "format" not in req


def test_unset_options_are_not_sent(ollama_server: OllamaServer) -> None:
    # load_settings ignores None overrides: unset the defaults on a copy.
    settings = load_settings(model="qwen2.5").model_copy(
        update={"keep_alive": None, "seed": None, "num_ctx": None}
    )
    ollama_server.models = ["qwen2.5:latest"]
    llm_for(settings).chat([Message.user("hi")])

    [req] = ollama_server.chat_requests()
    assert req["model"] == "qwen2.5"
    assert set(req["options"]) == {"temperature", "num_predict"}
    assert "keep_alive" not in req


def test_streaming_passes_each_piece_to_on_token(ollama_server: OllamaServer) -> None:
    pieces = ["Drop", "out ", "zeroes ", "activations."]
    ollama_server.reply(Reply(content="".join(pieces), pieces=pieces))
    seen: list[str] = []
    text = llm_for(load_settings()).chat(QUESTION, on_token=seen.append)

    assert seen == pieces
    assert text == "Dropout zeroes activations."
    assert ollama_server.chat_requests()[0]["stream"] is True


def test_generation_reports_done_reason_and_token_counts(ollama_server: OllamaServer) -> None:
    ollama_server.reply(Reply(content="one two three", done_reason="length"))
    gen = llm_for(load_settings()).generate([Message.user("count")])
    assert gen.text == "one two three"
    assert gen.truncated and gen.done_reason == "length"
    assert gen.eval_tokens == 3 and gen.prompt_tokens == 1


# ---- structured output -----------------------------------------------------------------
def test_structured_returns_validated_object_and_sends_schema(
    ollama_server: OllamaServer,
) -> None:
    ollama_server.reply(VALID)
    settings = load_settings(seed=3)
    result = llm_for(settings).structured(QUESTION, Critique)

    assert result.ok and result.error is None
    assert result.value == Critique.model_validate(VALID)
    assert result.attempts == 1
    [req] = ollama_server.chat_requests()
    assert req["format"] == Critique.model_json_schema()
    assert req["stream"] is False
    assert req["options"]["seed"] == 3
    assert req["options"]["num_predict"] == settings.num_predict


def test_invalid_json_twice_is_a_typed_failure(ollama_server: OllamaServer) -> None:
    ollama_server.reply("Sure! Here is the grade: 7/10", '{"summary": "ok", "points": [')
    result = llm_for(load_settings()).structured(QUESTION, Critique)

    assert not result.ok
    assert result.value is None
    assert result.attempts == 2
    assert result.raw == '{"summary": "ok", "points": ['
    assert result.error is not None and "not valid JSON" in result.error
    first, second = ollama_server.chat_requests()
    # The retry repeats the conversation, shows the bad reply and names the error.
    assert second["messages"][: len(QUESTION)] == first["messages"]
    assert second["messages"][-2] == {
        "role": "assistant",
        "content": "Sure! Here is the grade: 7/10",
    }
    retry = second["messages"][-1]
    assert retry["role"] == "user"
    assert "not valid JSON" in retry["content"]
    assert "$error" not in retry["content"]
    assert second["format"] == Critique.model_json_schema()


def test_schema_mismatch_is_retried_with_the_validation_error(
    ollama_server: OllamaServer,
) -> None:
    ollama_server.reply({"summary": "ok", "score": 11}, VALID)
    result = llm_for(load_settings()).structured(QUESTION, Critique)

    assert result.ok and result.attempts == 2
    assert result.value == Critique.model_validate(VALID)
    retry = ollama_server.chat_requests()[1]["messages"][-1]["content"]
    assert "points: Field required" in retry
    assert "score:" in retry and "less than or equal to 10" in retry


def test_schema_valid_but_empty_reply_counts_as_invalid(ollama_server: OllamaServer) -> None:
    empty = {"summary": "  ", "points": [], "score": 0}
    ollama_server.reply(empty, empty)
    result = llm_for(load_settings()).structured(QUESTION, Critique)
    assert not result.ok and result.attempts == 2
    assert result.error is not None and "no content" in result.error

    ollama_server.reply(empty)
    allowed = llm_for(load_settings()).structured(QUESTION, Critique, allow_empty=True)
    assert allowed.ok and allowed.value == Critique.model_validate(empty)


def test_what_counts_as_empty() -> None:
    class Numbers(BaseModel):
        score: int
        passed: bool

    class Maybe(BaseModel):
        note: str | None = None
        tags: list[str] = []

    assert not is_empty_value(Numbers(score=0, passed=False))  # no text slot at all
    assert is_empty_value(Maybe())
    assert not is_empty_value(Maybe(tags=["x"]))
    assert is_empty_value(Critique(summary="", points=[" "], score=3))


def test_reply_cut_at_the_token_limit_is_invalid(ollama_server: OllamaServer) -> None:
    ollama_server.reply(
        Reply(content='{"summary": "A long', done_reason="length"),
        # Even complete-looking JSON is not trusted when generation hit the limit.
        Reply(content=VALID, done_reason="length"),
    )
    result = llm_for(load_settings(num_predict=64)).structured(QUESTION, Critique)

    assert not result.ok and result.attempts == 2
    assert result.error is not None
    assert "cut off" in result.error and "num_predict=64" in result.error
    retry = ollama_server.chat_requests()[1]["messages"][-1]["content"]
    assert "cut off" in retry


def test_code_fenced_json_is_accepted(ollama_server: OllamaServer) -> None:
    import json

    ollama_server.reply("```json\n" + json.dumps(VALID) + "\n```")
    result = llm_for(load_settings()).structured(QUESTION, Critique)
    assert result.ok and result.attempts == 1


def test_default_reply_is_valid_for_nested_schemas(ollama_server: OllamaServer) -> None:
    # With nothing scripted, the server builds a schema-valid object (other
    # features run against it), here for the grade model with $defs and anyOf.
    result = llm_for(load_settings()).structured(QUESTION, Feedback)
    assert result.ok, result.error
    assert result.value is not None and 0 <= result.value.score <= 10
    assert result.value.covered and result.value.covered[0].citation is not None


# ---- transport failures ----------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True])
def test_server_down_raises_with_install_hint(stream: bool) -> None:
    # conftest points OLLAMA_HOST at a port where nothing listens.
    llm = llm_for(load_settings())
    with pytest.raises(LLMUnreachableError) as info:
        llm.chat([Message.user("hi")], on_token=(lambda _t: None) if stream else None)
    message = str(info.value)
    assert isinstance(info.value, LLMError) and isinstance(info.value, InterviewerError)
    assert "https://ollama.com/download" in message and "ollama serve" in message
    assert "\n" not in message
    with pytest.raises(LLMUnreachableError):
        llm.structured(QUESTION, Critique)


@pytest.mark.parametrize("stream", [False, True])
def test_connection_dropped_mid_reply(ollama_server: OllamaServer, stream: bool) -> None:
    ollama_server.reply(Reply(content="alpha beta gamma delta", drop_after=2))
    seen: list[str] = []
    with pytest.raises(LLMConnectionLostError) as info:
        llm_for(load_settings()).chat(QUESTION, on_token=seen.append if stream else None)
    assert "broke during the reply" in str(info.value)
    if stream:
        assert seen == ["alpha ", "beta "]
        assert info.value.partial == "alpha beta "


def test_stream_that_ends_without_done_is_connection_lost(ollama_server: OllamaServer) -> None:
    # All pieces arrive, then the server closes instead of sending the final line.
    ollama_server.reply(Reply(content="a b", drop_after=99))
    with pytest.raises(LLMConnectionLostError) as info:
        llm_for(load_settings()).chat(QUESTION, on_token=lambda _t: None)
    assert info.value.partial == "a b"


def test_missing_model_raises_with_pull_hint(ollama_server: OllamaServer) -> None:
    with pytest.raises(ModelMissingError) as info:
        llm_for(load_settings(model="llama3.2:1b")).structured(QUESTION, Critique)
    assert "ollama pull llama3.2:1b" in str(info.value)
    assert ollama_server.chat_requests()[0]["model"] == "llama3.2:1b"


def test_a_host_that_is_not_ollama_is_not_reported_as_missing_model(
    ollama_server: OllamaServer,
) -> None:
    # A wrong path prefix: every route answers "404 page not found".
    settings = load_settings(ollama_host=f"{ollama_server.url}/not-ollama")
    with pytest.raises(LLMError, match="is OLLAMA_HOST an Ollama server") as info:
        llm_for(settings).chat(QUESTION)
    assert not isinstance(info.value, ModelMissingError)


def test_other_server_errors_raise_llm_error(ollama_server: OllamaServer) -> None:
    ollama_server.reply(Reply(status=500, error="llama runner process has terminated"))
    with pytest.raises(LLMError, match="500.*llama runner process has terminated"):
        llm_for(load_settings()).chat(QUESTION)


def test_slow_server_times_out_before_it_answers(ollama_server: OllamaServer) -> None:
    delay = 5.0
    ollama_server.reply(Reply(content="late", delay_s=delay))
    started = time.perf_counter()
    with pytest.raises(LLMTimeoutError, match="INTERVIEWER_LLM_TIMEOUT_S"):
        llm_for(load_settings(llm_timeout_s=0.3)).chat(QUESTION)
    # The error came from our timeout, not from the server's eventual reply.
    assert time.perf_counter() - started < delay


# ---- cache ----------------------------------------------------------------------------
def test_cache_hit_avoids_a_second_request(ollama_server: OllamaServer, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    ollama_server.reply(VALID)
    first = llm_for(load_settings(), cache=SQLiteResponseCache(path)).structured(
        QUESTION, Critique
    )
    # A new process would open a new cache object on the same file.
    again = llm_for(load_settings(), cache=SQLiteResponseCache(path)).structured(
        QUESTION, Critique
    )
    assert first.ok and not first.cached
    assert again.cached and again.value == first.value and again.raw == first.raw
    assert len(ollama_server.chat_requests()) == 1

    # Different options make a different request.
    llm_for(load_settings(seed=99), cache=SQLiteResponseCache(path)).structured(
        QUESTION, Critique
    )
    assert len(ollama_server.chat_requests()) == 2


def test_invalid_replies_are_not_cached(ollama_server: OllamaServer, tmp_path: Path) -> None:
    cache = SQLiteResponseCache(tmp_path / "cache.sqlite3")
    llm = llm_for(load_settings(), cache=cache)
    ollama_server.reply("nope", "nope")
    assert not llm.structured(QUESTION, Critique).ok
    assert len(cache) == 0
    ollama_server.reply(VALID)
    assert llm.structured(QUESTION, Critique).ok
    assert len(ollama_server.chat_requests()) == 3


def test_chat_cache_replays_text_to_on_token(ollama_server: OllamaServer, tmp_path: Path) -> None:
    llm = llm_for(load_settings(), cache=SQLiteResponseCache(tmp_path / "c.sqlite3"))
    ollama_server.reply("Tell me about bagging.")
    assert llm.chat(QUESTION) == "Tell me about bagging."
    seen: list[str] = []
    assert llm.chat(QUESTION, on_token=seen.append) == "Tell me about bagging."
    assert seen == ["Tell me about bagging."]
    assert len(ollama_server.chat_requests()) == 1


def test_cache_key_depends_on_every_part() -> None:
    opts = GenerateOptions(temperature=0.2)
    base = cache_key("m", QUESTION, None, opts)
    assert base == cache_key("m", list(QUESTION), None, GenerateOptions(temperature=0.2))
    assert base != cache_key("m2", QUESTION, None, opts)
    assert base != cache_key("m", QUESTION[:1], None, opts)
    assert base != cache_key("m", QUESTION, "json", opts)
    assert base != cache_key("m", QUESTION, None, GenerateOptions(temperature=0.2, seed=1))


# ---- construction and helpers ----------------------------------------------------------
def test_make_llm_is_none_without_llm() -> None:
    assert make_llm(load_settings(use_llm=False)) is None


def test_helpers_for_doctor(ollama_server: OllamaServer) -> None:
    assert server_version(ollama_server.url) == ollama_server.version
    assert ping(ollama_server.url)
    models = list_models(ollama_server.url)
    assert models == ["qwen2.5:7b-instruct", "nomic-embed-text:latest"]
    assert has_model("nomic-embed-text", models)
    assert not has_model("qwen2.5", models)  # means qwen2.5:latest


def test_helpers_fail_fast_without_server() -> None:
    host = load_settings().ollama_host
    assert not ping(host)
    with pytest.raises(LLMUnreachableError):
        list_models(host)


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("", "http://127.0.0.1:11434"),
        ("localhost", "http://localhost:11434"),
        (":9999", "http://127.0.0.1:9999"),
        ("10.0.0.5:1234", "http://10.0.0.5:1234"),
        ("http://example.com", "http://example.com:80"),
        ("https://example.com/ollama/", "https://example.com:443/ollama"),
    ],
)
def test_base_url_follows_the_client(host: str, url: str) -> None:
    assert base_url(host) == url


# ---- the test server itself (other features rely on it) --------------------------------
def test_server_show_tags_embed_and_unknown_model(ollama_server: OllamaServer) -> None:
    client = ollama.Client(host=ollama_server.url)
    shown = client.show("qwen2.5:7b-instruct")
    assert shown.modelinfo is not None and "general.architecture" in shown.modelinfo
    texts = ["bagging reduces variance", "bagging reduces variance", "gradient boosting"]
    vectors = client.embed(model="nomic-embed-text", input=texts).embeddings
    assert vectors[0] == vectors[1] != vectors[2]
    assert abs(sum(v * v for v in vectors[2]) - 1.0) < 1e-9
    with pytest.raises(ollama.ResponseError) as info:
        client.embed(model="all-minilm", input="x")
    assert info.value.status_code == 404 and info.value.error == "model 'all-minilm' not found"
    assert [r.path for r in ollama_server.requests] == ["/api/show", "/api/embed", "/api/embed"]


def test_server_embeddings_work_with_the_ollama_embedder(ollama_server: OllamaServer) -> None:
    from interviewer.embeddings import get_embedder

    embedder = get_embedder(load_settings(embedding_backend="ollama"))
    rows = embedder.embed(["what is dropout", "dropout zeroes units", "tree depth"])
    assert rows.shape == (3, ollama_server.embed_dim)
    assert rows[0] @ rows[1] > rows[0] @ rows[2]  # shared words score higher
    assert rows[0].tolist() == pytest.approx(hashed_embedding("what is dropout"))


def test_server_responder_sees_the_request(ollama_server: OllamaServer) -> None:
    ollama_server.responder = lambda body: f"echo: {body['messages'][-1]['content']}"
    assert llm_for(load_settings()).chat([Message.user("ping")]) == "echo: ping"
    ollama_server.reply("queued first")
    assert llm_for(load_settings()).chat([Message.user("x")]) == "queued first"


def test_example_from_schema_respects_bounds_and_enums() -> None:
    from typing import Literal

    class Shape(BaseModel):
        kind: Literal["a", "b"]
        n: int = Field(ge=3, le=5)
        x: float = Field(gt=0.5)
        tags: list[str] = Field(min_length=2)
        note: str | None = None

    example = example_from_schema(Shape.model_json_schema())
    value = Shape.model_validate(example)
    assert value.kind == "a" and value.n == 3 and len(value.tags) == 2 and value.note
