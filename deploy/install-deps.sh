#!/usr/bin/env bash
# Installs every system package agentmetrics needs to build, test and run, from Debian's
# archive. Safe to run again: packages already present are left as they are.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config git curl ca-certificates
  # required by DESIGN.md
  libboost1.81-dev liburing-dev libconcurrentqueue-dev prometheus-cpp-dev libmimalloc-dev
  libbenchmark-dev libgtest-dev libgmock-dev
  # well-kept libraries for solved problems
  nlohmann-json3-dev libsqlite3-dev zlib1g-dev libcli11-dev libyaml-cpp-dev libpugixml-dev
  libcurl4-openssl-dev
  # ISA-L's igzip, which gzips the scrapes (zlib's deflate was most of a gzipped scrape's cost)
  libisal-dev
  # TLS for the listener (Asio's OpenSSL streams), HMAC of the forges' webhook signatures
  # (libcrypto), and bcrypt for basic auth (libxcrypt)
  libssl-dev libcrypt-dev
  # the OTLP receivers: the OTLP messages (protoc) and OTLP/gRPC
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  # the OTLP receivers' stream digest (XXH3, header only)
  libxxhash-dev
  # Prometheus's own metrics.proto, for the protobuf exposition (native histograms), compiled at
  # build time with the protoc above
  golang-github-prometheus-client-model-dev
  # real peers used by the tests: the Prometheus server and promtool, Alertmanager and amtool;
  # tools whose reports the ingest tests read (gcov comes with gcc); strace (the systemd unit's
  # system call filter is checked against what the collector calls), python3 (the soak, the
  # local stack's webhook receiver)
  prometheus prometheus-alertmanager lcov gcovr flawfinder strace python3
  # the operator's tools the TLS and basic-auth tests make their certificates and hashes with
  openssl apache2-utils
  # the fuzz targets (libFuzzer: tests/fuzz/run.sh); the tree's one format (.clang-format,
  # checked by tests/style/check_format.sh) and its static checks (.clang-tidy, check_tidy.sh)
  clang libclang-rt-14-dev clang-format clang-tidy
  # the real agents' harness (tests/agents): ip brings up loopback in a namespace of its own,
  # gRPC's Python binding records what the agents send over OTLP/gRPC
  iproute2 python3-grpcio
  # the browser the /ui and report tests drive (headless, through puppeteer-core from npm)
  chromium
  # a team's shared store (store.url: postgresql://...): the client library, and the server the
  # tests start on loopback (initdb, pg_ctl) and deploy/local-stack.sh --team runs
  libpqxx-dev postgresql-15
  # WordNet's database (/usr/share/wordnet), read by cm context's search for the synonyms of a
  # task's everyday words (collector/learning/wordnet.h)
  wordnet-base
)
# Node.js with npm: the MCP SDK client and Bun, which run the cm mcp and opencode plugin tests,
# come from the npm registry. A Node.js that already brings npm (NodeSource's) is kept.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
