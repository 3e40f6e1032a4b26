# Relais container: multi-stage build on the official Swift image, small Debian runtime.
#   docker build -t relais .
#   docker run -d --name relais -p 127.0.0.1:8080:8080 -v relais-data:/var/lib/relais relais
#   docker logs relais      # shows the one-time admin password on first start
FROM swift:6.3-bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd-dev libsqlite3-dev libsodium-dev libcurl4-openssl-dev libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
# The manifest also declares the test and benchmark targets: their folders must exist.
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
# As `make release`: static runtime, optimised for size (see the Makefile).
RUN swift build -c release --static-swift-stdlib -Xswiftc -Osize --product relais \
    && mkdir -p /out/bin \
    && cp .build/release/relais /out/bin/ \
    && cp -r .build/release/relais_RelaisWeb.resources .build/release/relais_RelaisReports.resources /out/bin/

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libsqlite3-0 libsodium23 libcurl4 libcmark-gfm0.29.0.gfm.6 libcmark-gfm-extensions0.29.0.gfm.6 ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/relais --shell /usr/sbin/nologin relais \
    && install -d -o relais -g relais -m 0700 /var/lib/relais
COPY --from=build /out/bin /opt/relais/bin
COPY Protocols /opt/relais/Protocols
COPY config/relais.yaml /etc/relais/relais.yaml
ENV RELAIS_DATA_DIR=/var/lib/relais \
    RELAIS_PROTOCOLS_DIR=/opt/relais/Protocols \
    RELAIS_HTTP_HOST=0.0.0.0 \
    RELAIS_HTTP_PORT=8080
# Inside the container relais must listen on all interfaces for the published port. Plain HTTP
# is allowed here (and logged) because the port is meant to be published on the host's
# loopback or behind a TLS reverse proxy; for direct HTTPS set RELAIS_HTTP_TLS_CERTIFICATE_FILE
# and RELAIS_HTTP_TLS_KEY_FILE to mounted PEM files and remove this switch.
ENV RELAIS_HTTP_ALLOW_PLAIN_HTTP_ON_LAN=true
USER relais
WORKDIR /var/lib/relais
VOLUME ["/var/lib/relais"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/relais/bin/relais"]
CMD ["serve", "--config", "/etc/relais/relais.yaml"]
