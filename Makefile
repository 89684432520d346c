# shopgraph: the two commands of the README, and the steps they are made of.
#   make demo   set up everything, start the embedded Neo4j, run the main job on the shipped sample
#   make test   the whole suite: Java (neo4j-harness) and Python against a real Neo4j, lint, types,
#               and the package installed without extras (test-minimal)
#   make stop   stop the demo's Neo4j
# Everything is installed inside the repository (.venv/, .tools/, cypher/*/target/).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SG := $(VENV)/bin/shopgraph
# -Dstyle.color=never: no ANSI colour codes from Maven in the demo's or the tests' output.
# Maven 3.8 still writes a few reset codes (ESC[0m) at start and exit, so its output goes
# through NO_ANSI, which strips them (pipefail keeps Maven's exit status).
MVN := mvn -q -B -Dstyle.color=never -f cypher/pom.xml
NO_ANSI := sed -u 's/\x1b\[[0-9;]*m//g'
# pip quiet (-q -q: errors only) and without its version check or prompts.
PIP := $(PY) -m pip --quiet --quiet --disable-pip-version-check --no-input
export SHOPGRAPH_HOME ?= $(CURDIR)/.shopgraph
export DOCKER_CONFIG := $(CURDIR)/.tools/docker
# The demo's home as the demo prints it: relative to the repository root when it lies inside.
DEMO_HOME := $(patsubst $(CURDIR)/%,%,$(SHOPGRAPH_HOME))

# The Python packages, each a folder mapped to shopgraph.<folder> (pyproject.toml).
PACKAGES := core loaders gnn graph evaluation cli cypher

SAMPLE := loaders/samples/rees46-2019-10-01-head.csv.gz
COMPOSE_PLUGIN := .tools/docker/cli-plugins/docker-compose

.PHONY: help setup venv build tools demo stop test test-fast test-java test-python test-minimal \
	lint typecheck bench clean

help:
	@echo "make demo   - set up, start Neo4j, load the sample, show the graph"
	@echo "make stop   - stop the demo's Neo4j"
	@echo "make test   - the whole test suite (Java + Python + lint + types + minimal install)"
	@echo "make test-fast - the Python tests that need no Neo4j, lint, types (under a minute)"
	@echo "make setup  - venv with pinned dependencies, Maven build, tools"
	@echo "make bench  - the benchmarks (appends to benchmarks/RESULTS.md)"

setup: venv build tools

# The venv is rebuilt when pyproject.toml or the pins change.
venv: $(VENV)/.installed
# The set-up steps run quietly, each announced by one line; the demo's own commands are printed.
$(VENV)/.installed: pyproject.toml constraints.txt
	@echo "== Setting up $(VENV) with the pinned Python packages (minutes on the first run)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip
	@$(PIP) install -c constraints.txt -e '.[dev,gnn,eval]'
	@touch $@

build:
	@echo "== Maven build of the Neo4j plugin and the embedded server"
	@$(MVN) package -DskipTests 2>&1 | $(NO_ANSI)

# docker compose (the CLI plugin, for `docker compose config` in the tests): Debian's
# docker-compose v2 package, unpacked under .tools/ (no Docker engine is needed or installed).
tools: $(COMPOSE_PLUGIN)
$(COMPOSE_PLUGIN):
	@echo "== Fetching the docker compose CLI plugin into .tools/"
	@bash .ci/fetch-compose-plugin .tools >/dev/null

# Every command the demo runs is printed as it runs and works as printed from the repository
# root; tests/test_demo.py runs them, and the Cypher queries printed at the end, on the sample.
demo: setup
	SHOPGRAPH_HOME=$(DEMO_HOME) $(SG) neo4j start
	$(SG) load rees46 $(SAMPLE) --rejects $(DEMO_HOME)/sample.rejects.csv
	$(SG) stats
	@echo
	@echo "== Trust: score every user from behaviour signals and weight their edges with it:"
	$(SG) trust
	$(SG) trust explain 517953667
	@echo "== Frequently bought together with the cart [1004833] (a phone bought with others):"
	$(SG) bundle 1004833 --k 5
	@echo "== Items similar to 1004833 (random walks over users, sessions, brands, categories):"
	$(SG) similar 1004833 --k 5 --seed 1
	@echo "== Recommended for user 517953667 (walks, co-purchases, popular in their categories):"
	$(SG) recommend 517953667 --k 5
	@echo "== A user the graph has never seen gets the cold-start fallback:"
	$(SG) recommend new-visitor --k 3
	@echo "== Retrain LightGCN on a subgraph exported from Neo4j, write the embeddings back, switch:"
	$(SG) train --write-back --epochs 20 --runs $(DEMO_HOME)/runs
	$(SG) model list
	@echo "== Recommended for 517953667, now ranked by the model's embeddings:"
	$(SG) recommend 517953667 --k 5
	@echo "== The live shop: a visitor views a phone, adds it and another to the cart, buys both:"
	$(SG) record view 1004833 --session demo-visit --user visitor-demo --event-id demo-1 --price 174.76
	$(SG) record cart 1004833 --session demo-visit --user visitor-demo --event-id demo-2
	$(SG) record cart 1005115 --session demo-visit --user visitor-demo --event-id demo-3
	$(SG) record purchase 1004833 --session demo-visit --user visitor-demo --event-id demo-4 --price 174.76
	$(SG) record purchase 1005115 --session demo-visit --user visitor-demo --event-id demo-5 --price 975.57
	@echo "== The same purchase sent again (a retry after a timeout) changes nothing:"
	$(SG) record purchase 1005115 --session demo-visit --user visitor-demo --event-id demo-5 --price 975.57
	@echo "== The visitor is not interested in 1004856 (left out of their training positives):"
	$(SG) feedback visitor-demo 1004856
	@echo "== The visitor logs in as customer-demo: history and feedback move, the visitor id is gone:"
	$(SG) merge-users visitor-demo customer-demo
	@echo "== The customer asks to be forgotten (graph, run folders, reject files, logs):"
	$(SG) forget customer-demo
	@echo
	@echo "Neo4j runs at bolt://127.0.0.1:$${SHOPGRAPH_NEO4J_PORT:-7687} (data in $(DEMO_HOME))."
	@echo "Queries to try, from any Neo4j client or the Python driver:"
	@echo "  MATCH (c:Category)<-[:CHILD_OF*0..]-(:Category)<-[:IN_CATEGORY]-(i:Item)"
	@echo "    RETURN c.code, count(DISTINCT i) AS items ORDER BY items DESC LIMIT 10"
	@echo "  MATCH (u:User)-[:HAS_SESSION]->(s:Session)-[v:VIEWED]->(i:Item)"
	@echo "    RETURN u.userId, count(DISTINCT i) AS viewed ORDER BY viewed DESC LIMIT 5"
	@echo "  MATCH (o:Order)-[:CONTAINS]->(i:Item)-[:HAS_BRAND]->(b:Brand)"
	@echo "    RETURN b.name, count(*) AS sold ORDER BY sold DESC LIMIT 5"
	@echo "  CALL shopgraph.bundle(['1004833'], 5, {}) YIELD itemId, score, support, lift, because"
	@echo "  CALL shopgraph.recommend('517953667', 5, {}) YIELD itemId, score, reason"
	@echo "  CALL shopgraph.version()"
	@echo "Stop the server with: make stop"

stop:
	$(SG) neo4j stop

test: setup test-java lint typecheck test-python test-minimal

# The fast tier: no Neo4j, no Maven build, nothing slow; for quick loops while editing.
test-fast: venv lint typecheck
	$(PY) -m pytest -q -m "not neo4j and not slow"

test-java:
	$(MVN) test 2>&1 | $(NO_ANSI)

test-python:
	$(PY) -m pytest

# The package installed without extras: `shopgraph --help` and the serving commands on a real
# Neo4j (.ci/test-minimal).
test-minimal: setup
	PYTHON=$(PYTHON) bash .ci/test-minimal

lint:
	$(VENV)/bin/ruff check $(PACKAGES) tests benchmarks
	$(VENV)/bin/ruff format --check $(PACKAGES) tests benchmarks

# mypy sees the import names of the package-dir mapping through links under .typecheck/.
typecheck:
	mkdir -p .typecheck/shopgraph
	for p in $(PACKAGES); do ln -sfn ../../$$p .typecheck/shopgraph/$$p; done
	$(VENV)/bin/mypy

bench: setup
	$(PY) benchmarks/load.py

clean:
	rm -rf .typecheck .pytest_cache .ruff_cache .mypy_cache
	$(MVN) clean 2>&1 | $(NO_ANSI)
