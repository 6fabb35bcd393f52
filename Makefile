# Spreekuur: the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app bookings
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install translations messages bench clean

run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install translations node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

# Compiled catalogues are build output (not committed): compile them from the .po files.
translations: install
	$(BIN)/pybabel compile --statistics -d bookings/translations

# Extract the texts of pages, e-mails and calendars, and merge them into the catalogues.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o bookings/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i bookings/translations/messages.pot -d bookings/translations --no-fuzzy-matching --ignore-obsolete

# Thunderbird's calendar parser (ical.js), used by the calendar tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

bench: install
	$(BIN)/python benchmarks/bench_slots.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis
