PLAYGROUND := internal/playground
# npm ci rewrites node_modules; the stamp makes `make assets` a no-op until the lockfile changes.
PLAYGROUND_STAMP := $(PLAYGROUND)/node_modules/.make-stamp
# What cmd/registry's tests run with node: the GraphQL-over-HTTP audit suite;
# and the packages the README's client recipes install, at its versions, so
# that npm's cache holds them for the scratch project TestReadme makes.
NODE_TESTS := cmd/registry/testdata/node
NODE_TESTS_STAMP := $(NODE_TESTS)/node_modules/.make-stamp
PLAYGROUND_ASSETS := $(addprefix $(PLAYGROUND)/assets/,graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js)
# The /explore page's chart library (uPlot), likewise.
EXPLORE := internal/explore
EXPLORE_STAMP := $(EXPLORE)/node_modules/.make-stamp
EXPLORE_ASSETS := $(addprefix $(EXPLORE)/assets/vendor/,uPlot.iife.min.js uPlot.min.css)

.PHONY: assets
assets: $(PLAYGROUND_ASSETS) $(EXPLORE_ASSETS)

$(PLAYGROUND_STAMP): $(PLAYGROUND)/package.json $(PLAYGROUND)/package-lock.json
	cd $(PLAYGROUND) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(EXPLORE_STAMP): $(EXPLORE)/package.json $(EXPLORE)/package-lock.json
	cd $(EXPLORE) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(EXPLORE_ASSETS): $(EXPLORE_STAMP)
	mkdir -p $(@D)
	cp $(EXPLORE)/node_modules/uplot/dist/$(@F) $@

$(NODE_TESTS_STAMP): $(NODE_TESTS)/package.json $(NODE_TESTS)/package-lock.json
	cd $(NODE_TESTS) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(PLAYGROUND)/assets/graphiql.min.js $(PLAYGROUND)/assets/graphiql.min.css: $(PLAYGROUND_STAMP)
	cp $(PLAYGROUND)/node_modules/graphiql/$(@F) $@

$(PLAYGROUND)/assets/react.production.min.js: $(PLAYGROUND_STAMP)
	cp $(PLAYGROUND)/node_modules/react/umd/$(@F) $@

$(PLAYGROUND)/assets/react-dom.production.min.js: $(PLAYGROUND_STAMP)
	cp $(PLAYGROUND)/node_modules/react-dom/umd/$(@F) $@

# The README's two commands: `make run` serves on the embedded store,
# `make test` runs the whole suite (CI runs exactly this).
.PHONY: run test fuzz check generate

run: assets
	go run ./cmd/registry serve

test: assets $(NODE_TESTS_STAMP) browser
	go test -count=1 ./...

# Headless Chromium, for the playground's test in a browser (Debian's package).
.PHONY: browser
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The API fuzz test at length (`make test` runs a short one); FUZZ_SEED=n replays a sequence.
fuzz: assets
	FUZZ_REQUESTS=20000 go test -count=1 -run TestFuzzAPI -timeout 60m ./cmd/registry

# Regenerate gqlgen code; `check` fails if the committed code is stale or unformatted.
generate:
	go run github.com/99designs/gqlgen generate

check: assets
	gofmt -l . | grep -v node_modules | (! grep .)
	go vet ./...
	go run github.com/99designs/gqlgen generate && git diff --exit-code -- graph/
