# Spreekuur: the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app bookings
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres install translations messages bench wrk clean

run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install translations node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL. BOOKINGS_TEST_DATABASE_URL names an empty database that the tests
# may fill and empty (postgresql+psycopg://user@host:port/db); without it, a throw-away cluster is
# started for the run (scripts/with-postgres.sh, which sets it).
test-postgres: install translations node_modules/.installed
ifdef BOOKINGS_TEST_DATABASE_URL
	BOOKINGS_TEST_DATABASE_URL=$(BOOKINGS_TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)
else
	scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)
endif

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

bench: install translations wrk
	$(BIN)/python benchmarks/bench_slots.py
	$(BIN)/python benchmarks/bench_slots_db.py
	$(BIN)/python benchmarks/bench_feeds.py
	$(BIN)/python benchmarks/bench_http.py

# The HTTP load generator of benchmarks/bench_http.py (Debian's package).
wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk \
	      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }; \
	  else \
	    echo "make bench needs wrk: sudo apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS)" >&2; \
	    exit 1; \
	  fi; }

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis
