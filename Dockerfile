# Multi-stage build: compile in the Rust image, run from a slim Debian image as a non-root user.
FROM rust:1.95-bookworm AS build
# npm installs the NHS.UK frontend (from web/package-lock.json) that the build embeds.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p server --bin marketplace

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --create-home marketplace
WORKDIR /app
COPY --from=build /src/target/release/marketplace /usr/local/bin/marketplace
USER marketplace
ENV MARKETPLACE_BIND=0.0.0.0:8080 \
    MARKETPLACE_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["marketplace"]
CMD ["serve"]
