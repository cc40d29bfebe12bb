# The two everyday commands: `make demo` runs an example script against the built-in
# sandbox, `make test` builds everything and runs the whole test suite. Both install
# the missing C libraries (libedit, libcurl) first.

.PHONY: demo test build deps

demo: deps
	swift build --product ckpt
	@echo
	@echo '$$ ckpt --sandbox --format table examples/tour.ckpt'
	@"$$(swift build --show-bin-path)/ckpt" --sandbox --format table examples/tour.ckpt

test: deps
	swift build --build-tests
	swift test --skip-build --disable-xctest

build: deps
	swift build

deps:
	@scripts/install-deps
