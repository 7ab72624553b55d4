# The two commands a newcomer needs: `make run` and `make test`. Both set up everything.
.PHONY: run test test-all lint bench setup

run:
	scripts/setup.sh redis
	.venv/bin/ventanilla run

# Two workers, each taking whole test modules (a module's servers stay in one process):
# most tests wait on servers and subprocesses, so two share the 2 cores well.
test:
	scripts/setup.sh redis postgres dovecot orfeo browser
	.venv/bin/pytest -q -n 2 --dist loadfile

# Includes the load tests kept out of the default run.
test-all:
	scripts/setup.sh redis postgres dovecot orfeo browser
	.venv/bin/pytest -q -n 2 --dist loadfile -m ''

lint:
	scripts/setup.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy core adapters routing workers docsys store web cli templates reports

bench:
	scripts/setup.sh redis postgres dovecot
	.venv/bin/python bench/e2e.py
