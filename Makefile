# tthc-bot: `make run` serves/chats, `make test` runs the tests. Both set everything up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run chat test install system-deps lint typecheck ingest eval bench bench-ingest clean

# Debian packages the tests use for real: chromium (browser tests), poppler (PDF posters), DejaVu (Vietnamese PDF
# font), espeak-ng (Vietnamese speech), sox and ffmpeg (audio in the formats browsers record)
SYSTEM_DEPS := /usr/bin/chromium /usr/bin/pdftoppm /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
	/usr/bin/espeak-ng /usr/bin/sox /usr/bin/ffmpeg /usr/bin/pg_ctlcluster

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,st,whisper-pt]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

system-deps:
	@missing=""; for f in $(SYSTEM_DEPS); do test -e $$f || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing chromium, poppler-utils, fonts-dejavu-core, espeak-ng, sox, ffmpeg, postgresql with apt"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium poppler-utils fonts-dejavu-core espeak-ng sox ffmpeg postgresql >/dev/null; \
	fi

run: install
	$(BIN)/tthc ingest-if-needed
	$(BIN)/tthc serve --host 127.0.0.1 --port 8000

chat: install
	$(BIN)/tthc ingest-if-needed
	$(BIN)/tthc chat

test: install system-deps
	$(BIN)/ruff check bot ingest api eval tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check bot ingest api eval tests
	$(BIN)/mypy

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
