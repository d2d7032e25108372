# syntax=docker/dockerfile:1
#
# Junction gateway and the demo subgraphs in one image.
#
#   docker build -t junction .
#   docker run --rm -p 4000:4000 junction                              # the gateway
#   docker run --rm -p 4300:4300 junction junction-subgraphs --host 0.0.0.0   # the demo subgraphs
#
# docker-compose.yml runs both with Redis.

# ---------------------------------------------------------------------------------------
# Builder: dependencies first (cached until Cargo.toml or Cargo.lock change), then ours.
# ---------------------------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src

# Every workspace member's manifest, with stub sources, so that `cargo build` compiles
# only the dependencies. Explicit [[bench]]/[[test]]/[[example]] targets get empty stubs
# too: cargo refuses a manifest whose targets are missing.
COPY Cargo.toml Cargo.lock ./
COPY subgraphs/Cargo.toml subgraphs/
COPY benches/load/Cargo.toml benches/load/
RUN <<'STUBS'
set -eu
mkdir -p src subgraphs/src benches/load/src
echo 'fn main() {}' > build.rs
echo 'fn main() {}' > src/main.rs
: > src/lib.rs
echo 'fn main() {}' > subgraphs/src/main.rs
: > subgraphs/src/lib.rs
echo 'fn main() {}' > benches/load/src/main.rs
for crate in . subgraphs benches/load; do
    awk -v crate="$crate" '
        function stub() {
            if (dir != "") print crate "/" (path != "" ? path : dir "/" name ".rs")
            dir = ""; name = ""; path = ""
        }
        /^\[/ { stub() }
        /^\[\[bench\]\]/ { dir = "benches" }
        /^\[\[test\]\]/ { dir = "tests" }
        /^\[\[example\]\]/ { dir = "examples" }
        dir != "" && /^name *=/ { name = $0; sub(/^name *= *"/, "", name); sub(/".*/, "", name) }
        dir != "" && /^path *=/ { path = $0; sub(/^path *= *"/, "", path); sub(/".*/, "", path) }
        END { stub() }
    ' "$crate/Cargo.toml" | while read -r file; do
        mkdir -p "$(dirname "$file")"
        : > "$file"
    done
done
STUBS
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    cargo build --release --locked -p junction -p junction-subgraphs

# The real sources (.dockerignore keeps target/, .git and local data out).
COPY . .
# build.rs downloads GraphiQL's browser files from registry.npmjs.org with curl (which
# this image has); without network the image builds without GraphiQL (its page says
# so). For an offline build, put the npm tarballs (or the files) in a directory of the
# build context and name it in the image: --build-arg
# JUNCTION_GRAPHIQL_ASSETS=/src/<dir>; `none` builds without GraphiQL. See README.md.
ARG JUNCTION_GRAPHIQL_ASSETS=
# The stub builds are newer than the copied sources' timestamps: touch the crate roots
# (and the build script) so cargo rebuilds our crates instead of keeping the stubs.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    set -eux; \
    touch build.rs src/main.rs src/lib.rs subgraphs/src/main.rs subgraphs/src/lib.rs; \
    cargo build --release --locked -p junction -p junction-subgraphs; \
    mkdir -p /out/bin /out/app; \
    cp target/release/junction target/release/junction-subgraphs /out/bin/; \
    cp -R schema /out/app/schema; \
    cp -R subgraphs/schema /out/app/subgraph-schemas; \
    if [ -d policies ]; then cp -R policies /out/app/policies; fi

# ---------------------------------------------------------------------------------------
# Runtime: the two binaries, the demo schema, curl for health checks, a non-root user.
# ---------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# tini as PID 1 forwards SIGTERM (docker stop) and reaps zombies; a Rust binary as PID 1
# would ignore SIGTERM unless it installs its own handler.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl tini; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 junction; \
    useradd --system --uid 10001 --gid junction --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin junction; \
    mkdir -p /app/data; \
    chown junction:junction /app/data

COPY --from=builder /out/bin/ /usr/local/bin/
COPY --from=builder /out/app/ /app/

WORKDIR /app
# The embedded store (used when JUNCTION_REDIS_URL is not set) writes here.
ENV JUNCTION_DATA_DIR=/app/data
USER 10001:10001
EXPOSE 4000

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["junction", "serve", "--supergraph", "/app/schema/supergraph.graphql", "--listen", "0.0.0.0:4000"]
