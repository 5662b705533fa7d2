# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint typecheck faq-check faq-eval bench lock clean i18n-extract i18n-update i18n-compile

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/caunoi run

test: check
	$(BIN)/python -m pytest --cov --cov-report=term

check: lint typecheck faq-check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

faq-check: $(STAMP)
	$(BIN)/caunoi faq check

faq-eval: $(STAMP)
	$(BIN)/caunoi faq eval tests/data/faq_eval.yaml

bench: $(STAMP)
	$(BIN)/python bench/answer_engine.py

# The bot's translations (bot/locale): extract the strings from the code, merge them into each
# language's catalog, compile the catalogs the bot loads. tests/bot/test_i18n.py fails when the
# committed template no longer matches the code.
LOCALE := bot/locale

i18n-extract: $(STAMP)
	$(BIN)/pybabel extract --mapping-file=babel.cfg --output-file=$(LOCALE)/messages.pot --no-location \
		--sort-output --project=caunoi --copyright-holder="Cầu Nối" --msgid-bugs-address="" --width=120 \
		--add-comments=TRANSLATORS: .

i18n-update: $(STAMP)
	$(BIN)/pybabel update --input-file=$(LOCALE)/messages.pot --output-dir=$(LOCALE) --domain=messages \
		--no-fuzzy-matching --width=120 --ignore-obsolete

i18n-compile: $(STAMP)
	$(BIN)/pybabel compile --directory=$(LOCALE) --domain=messages --statistics

# Re-resolve every dependency to its newest allowed version and pin it.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^caunoi' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage
