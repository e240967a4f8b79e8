# The two commands: `make run` and `make test`. Everything else is a helper for them.
BUILD ?= build
DB ?= sqlite:var/kehu.db
LISTEN ?= 127.0.0.1:8080
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache

.PHONY: all deps build run test bench fuzz web clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD)

run: build web
	@mkdir -p var
	$(BUILD)/kehu serve --db $(DB) --listen $(LISTEN) --web-root web/dist --demo-if-empty 200

web: deps
	@scripts/build-web.sh

test: build
	@tests/run-all.sh $(BUILD)

bench: build
	@bench/run.sh $(BUILD)

fuzz:
	@scripts/install-deps.sh --fuzz
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DKEHU_FUZZ=ON -DKEHU_BUILD_TESTS=OFF -DKEHU_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-fuzz --target fuzz_http_request fuzz_json_decode fuzz_xlsx_read
	@echo "fuzz targets: build-fuzz/fuzz/fuzz_http_request build-fuzz/fuzz/fuzz_json_decode build-fuzz/fuzz/fuzz_xlsx_read"

clean:
	rm -rf $(BUILD) build-fuzz
