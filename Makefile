# The two everyday commands: `make demo` runs an example script against the built-in
# sandbox, `make test` runs the whole test suite. Both install missing C libraries first.

.PHONY: demo test build deps

demo: deps
	swift build --product ckpt
	swift run --skip-build ckpt --sandbox examples/tour.ckpt

test: deps
	swift build --build-tests
	swift test --skip-build

build: deps
	swift build

deps:
	@scripts/install-deps
