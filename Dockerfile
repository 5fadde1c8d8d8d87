# Rebote: a static binary on a distroless, non-root base.
# Build:  docker build --build-arg VERSION=$(git describe --always --dirty) -t rebote .
# Run:    docker run -p 8080:8080 -v rebote-data:/data rebote

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The version "rebote --version" and /healthz show; .git is not sent to
# the build (.dockerignore), so it must come from here.
ARG VERSION=dev
# modernc.org/sqlite is pure Go, so the binary needs no C library.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/rebote ./cmd/rebote \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rebote /usr/local/bin/rebote
# The data directory belongs to the nonroot user (65532) so SQLite can
# create its database, WAL and shared-memory files there.
COPY --from=build --chown=65532:65532 /out/data /data
ENV REBOTE_ADDR=:8080 \
    REBOTE_DB=/data/rebote.db \
    REBOTE_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
# No curl in the image: the binary checks itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/usr/local/bin/rebote", "health"]
ENTRYPOINT ["/usr/local/bin/rebote"]
CMD ["serve"]
