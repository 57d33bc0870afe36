"""The `openai` generator for real (langchain-openai and the openai client), over an injected httpx transport
that plays an OpenAI-compatible server: streaming, explicit retries and timeouts, garbage, and the API's SSE."""

import dataclasses
import json

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bot.answers.generators import grounded
from bot.answers.llm import openai_chat
from bot.settings import Settings
from tests.conftest import Endpoint, sse


@pytest.fixture
def remote(assistant, settings):
    def make(endpoint: Endpoint):
        config = Settings(**{**settings.model_dump(), "generator": "openai", "llm_base_url": "http://llm.test/v1",
                             "llm_model": "qwen-test", "llm_max_retries": 1})
        model = openai_chat(config, http_client=httpx.Client(transport=httpx.MockTransport(endpoint)))
        generator = grounded(model, "openai", config)
        return dataclasses.replace(assistant, generator=generator), generator
    return make


def test_streams_a_checked_answer_from_an_openai_compatible_endpoint(remote):
    endpoint = Endpoint(sse("Đăng ký khai sinh ", "được miễn phí [1.001193]", ". Lệ phí 30.000 đồng [1.001193]."))
    llm, gen = remote(endpoint)
    pieces = list(llm.stream("làm giấy khai sinh có mất tiền không"))
    final = pieces[-1]
    assert pieces[:-1] == ["Đăng ký khai sinh được miễn phí [1.001193]. "]
    assert final.answer == "Đăng ký khai sinh được miễn phí [1.001193]." and final.generator == "openai"
    assert gen.counts == {"repaired": 1}
    request = endpoint.requests[0]
    body = json.loads(request.content)
    assert request.url == "http://llm.test/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer not-needed"
    assert body["model"] == "qwen-test" and body["stream"] is True and body["max_tokens"] == 250
    assert body["messages"][0]["role"] == "system" and "(mã 1.001193)" in body["messages"][1]["content"]


@pytest.mark.parametrize(("reply", "failure"), [
    (503, "error"),  # the endpoint is overloaded: retried once (explicit max_retries), then extractive
    (httpx.ReadTimeout("no byte in time"), "error"),  # slow: the read timeout, retried once
    (httpx.ConnectError("connection refused"), "error"),  # down
    (b"data: {not json\n\n", "error"),  # garbage
    (sse("Tôi là mô hình ", "ngôn ngữ."), None),  # no citation at all: nothing is passed on
])
def test_a_failing_endpoint_gives_the_extractive_answer(remote, caplog, reply, failure):
    endpoint = Endpoint(reply)
    llm, gen = remote(endpoint)
    answer = llm.ask("đăng ký kết hôn cần giấy tờ gì")
    assert answer.generator == "extractive" and answer.sources[0].procedure_id == "1.000894"
    assert "[1.000894]" in answer.answer and "Traceback" not in answer.answer
    assert gen.counts["fallback"] == 1 and gen.counts.get("error", 0) == (failure == "error")
    if isinstance(reply, int | httpx.TransportError):
        assert len(endpoint.requests) == 2  # one retry, as configured
    if failure:
        assert "generator openai failed" in caplog.text


def test_the_api_streams_checked_tokens_then_the_final_answer(remote, settings):
    llm, _ = remote(Endpoint(sse("Kết hôn ", "không mất lệ phí [1.000894]. ", "Phí là 999.000 đồng [1.000894]. ",
                                 "Cần Tờ khai đăng ký kết hôn [1.000894].")))
    with TestClient(create_app(settings, assistant=llm)) as client, \
            client.stream("POST", "/api/chat", json={"message": "đăng ký kết hôn", "stream": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [block.split("\n", 1) for block in r.read().decode().split("\n\n") if block]
    tokens = [json.loads(data[len("data: "):])["text"] for name, data in events if name == "event: token"]
    name, data = events[-1]
    final = json.loads(data[len("data: "):])
    assert name == "event: final" and final["generator"] == "openai"
    assert tokens == ["Kết hôn không mất lệ phí [1.000894]. ", "Cần Tờ khai đăng ký kết hôn [1.000894]."]
    assert "999" not in "".join(tokens) + final["answer"]
    assert final["sources"][0]["procedure_id"] == "1.000894" and final["card"]["code"] == "1.000894"
