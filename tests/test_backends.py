"""Backends of every kind are registered one way and chosen by a Literal-typed setting; and the generator
contract, which every generator that can run here passes: extractive, the scripted fake LLM, and the OpenAI
path (langchain-openai over an injected httpx transport that plays the endpoint).

The other kinds have their contract suites beside their tests: embedders (test_embedders.py), vector stores,
embedded and server (test_store.py), transcribers, both Whisper backends (test_voice.py).
"""

import dataclasses
from typing import get_args

import httpx
import pytest

from bot.answers.generators import GENERATORS, Generator, GroundedGenerator, grounded
from bot.answers.llm import openai_chat
from bot.answers.types import Answer
from bot.errors import ConfigError
from bot.search.embedders import EMBEDDERS
from bot.search.vectors import VECTOR_STORES
from bot.settings import EmbedderName, GeneratorName, Settings, TranscriberName, VectorStoreName
from bot.voice.transcribers import TRANSCRIBERS
from tests.conftest import Endpoint, ScriptedChat, sse

REPLY = "Đăng ký khai sinh được miễn phí [1.001193]."


@pytest.mark.parametrize(("table", "names"), [
    (EMBEDDERS, EmbedderName), (VECTOR_STORES, VectorStoreName), (GENERATORS, GeneratorName),
    (TRANSCRIBERS, TranscriberName),
])
def test_every_name_a_setting_accepts_has_a_registered_backend(table, names):
    assert table.names() == sorted(get_args(names))


def test_an_unknown_backend_says_which_exist(settings):
    with pytest.raises(ConfigError) as info:
        GENERATORS.build("gpt-9", settings)
    assert info.value.message == ("Unknown generator 'gpt-9': set TTHC_GENERATOR to one of extractive, llamacpp, "
                                  "openai.")


@pytest.fixture(params=["extractive", "scripted", "openai"])
def any_generator(request, settings) -> Generator:
    if request.param == "extractive":
        return GENERATORS.build("extractive", settings)
    if request.param == "scripted":
        return GroundedGenerator(ScriptedChat(REPLY), name="scripted")
    config = Settings(**{**settings.model_dump(), "generator": "openai", "llm_base_url": "http://llm.test/v1"})
    model = openai_chat(config, http_client=httpx.Client(transport=httpx.MockTransport(Endpoint(sse(REPLY)))))
    return grounded(model, "openai", config)


def _stream(assistant, generator, question, **kwargs):
    llm = dataclasses.replace(assistant, generator=generator)
    return list(llm.stream(question, **kwargs))


def test_contract_checked_text_then_one_final_answer_that_cites_the_procedure(assistant, any_generator):
    pieces = _stream(assistant, any_generator, "làm giấy khai sinh có mất tiền không")
    *text, final = pieces
    assert all(isinstance(p, str) for p in text) and isinstance(final, Answer)
    assert final.in_scope and final.sources[0].procedure_id == "1.001193"
    assert "[1.001193]" in final.answer and "miễn phí" in final.answer.lower()
    assert final.generator == any_generator.name and final.state["active"] == "1.001193"
    assert "".join(text).strip() in ("", final.answer)  # what streamed is what is shown, or nothing


def test_contract_out_of_scope_never_reaches_a_model(assistant, any_generator):
    *text, final = _stream(assistant, any_generator, "thời tiết Đà Nẵng ngày mai thế nào")
    assert text == [] and not final.in_scope and final.sources == []
    assert final.generator == "extractive"


def test_contract_condense_gives_a_question_or_nothing(any_generator):
    standalone = any_generator.condense("còn lệ phí?", [("đăng ký khai sinh", "…[1.001193]")])
    assert isinstance(standalone, str) and len(standalone) <= 300
