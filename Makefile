# Sundial: the two commands a new user needs are `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CONFIG ?= examples/config.yaml
CTEST_ARGS ?=

.PHONY: all setup configure build run demo run-tls demo-tls tls-certs test unit integration bench sanitize fuzz clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt | setup
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/sundial serve --config $(CONFIG)

# A simulated night against the engine `make run` started (examples/demo/README.md).
demo:
	examples/demo/night.py --config $(CONFIG)

# The same with TLS on every link (examples/config-tls.yaml): a throw-away demo CA and
# certificates in examples/tls/ (made once; `rm -r examples/tls` for new ones).
TLS_CONFIG ?= examples/config-tls.yaml
TLS_DIR ?= examples/tls
DEMO_CERT_NAMES = sundial site-ris ris modality nycct denct archive workstation
tls-certs:
	@[ -f $(TLS_DIR)/sundial.pem ] || bash scripts/make-demo-certs.sh $(TLS_DIR) $(DEMO_CERT_NAMES)

run-tls: build tls-certs
	$(BUILD_DIR)/sundial serve --config $(TLS_CONFIG)

demo-tls: tls-certs
	examples/demo/night.py --config $(TLS_CONFIG) --tls-dir $(TLS_DIR)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j 2 $(CTEST_ARGS)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L unit $(CTEST_ARGS)

integration: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L integration $(CTEST_ARGS)

bench: build
	bash bench/run.sh

# Unit suite under AddressSanitizer + UndefinedBehaviorSanitizer.
sanitize: setup
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSUNDIAL_SANITIZE=address,undefined
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -L unit

# Every libFuzzer target (tests/fuzz/: HL7 parser, HTTP request handling, DICOM receive and
# association) under clang with address + undefined, FUZZ_SECONDS each, after replaying the
# inputs that once broke them; seeded from shared/corpus and tests/fuzz/seeds. Fails on a
# crash, a sanitizer report or a broken invariant. FUZZ_TARGETS picks some (docs/security.md, "Fuzzing").
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= hl7_parser_fuzz http_request_fuzz dicom_receive_fuzz dicom_association_fuzz
fuzz: setup
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DSUNDIAL_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	bash tests/fuzz/run_fuzzers.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
