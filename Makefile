# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test serve lint bench bench-catalogue clean tools chromium

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>$(VENV)/pip.log || { cat $(VENV)/pip.log; exit 1; }
	@# setuptools' notes about editable installs are noise here; the log is shown on failure
	$(BIN)/python -m pip install --quiet -e . 2>$(VENV)/pip.log || { cat $(VENV)/pip.log; exit 1; }
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]' 2>$(VENV)/pip.log || { cat $(VENV)/pip.log; exit 1; }
	touch $@

## demo: publish the sample show into public/ (then `make serve` to listen)
demo: $(VENV)/.installed
	$(BIN)/publisher publish
	@echo
	@echo "The sample show is in public/ (feed: public/feed.xml, site: public/index.html)."
	@echo "Listen on its public URL: make serve, then open http://127.0.0.1:8000/index.html"
	@echo "Run publisher itself: $(CURDIR)/$(BIN)/publisher --help (or: source $(VENV)/bin/activate);"
	@echo "to install it for everyday use and start your own show, see README.md, 'Your own show'."

serve: $(VENV)/.installed
	$(BIN)/publisher serve

## test: install what the tests need (Python packages; Debian's chromium, Java and Node when
## missing; the npm tools), lint, run every test
test: $(VENV)/.installed-test tools tests/node/node_modules/.installed
	$(BIN)/ruff check publisher tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Podcast Index's feed parser (Node), for tests/test_partytime.py
tests/node/node_modules/.installed: tests/node/package.json tests/node/package-lock.json | tools
	cd tests/node && npm ci --no-audit --no-fund --silent
	touch $@

# The outside tools of the tests, from Debian when missing (one apt-get for all of them):
# chromium for the browser tests, Java for the W3C Nu Html Checker (vnu.jar), Node and npm for
# podcast-partytime and the npm packages in tests/node.
tools:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if ! command -v node >/dev/null 2>&1; then missing="$$missing nodejs npm"; \
	elif ! command -v npm >/dev/null 2>&1; then missing="$$missing npm"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing from Debian for the tests:$$missing"; \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

chromium: tools

lint: $(VENV)/.installed-test
	$(BIN)/ruff check publisher tests bench scripts
	$(BIN)/ruff format --check publisher
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

## bench-catalogue: issue 11's benchmark (1,000 and 10,000 episodes; long): writes BENCHMARKS.md
bench-catalogue: $(VENV)/.installed-test
	$(BIN)/python bench/bench_catalogue.py

clean:
	rm -rf _site public .publisher .pytest_cache .mypy_cache
