# syntax=docker/dockerfile:1
# mailguard: outbound SMTP proxy filter.
#
#   docker build -t mailguard .
#   docker run -p 127.0.0.1:10025:10025 -p 127.0.0.1:8025:8025 \
#     -e MAILGUARD_UPSTREAM_HOST=smtp.example.org -e MAILGUARD_ADMIN_TOKEN=... \
#     -e MAILGUARD_CLIENT_NETWORKS=192.0.2.0/24 -e MAILGUARD_INTERNAL_DOMAINS=example.gov.uk \
#     -v "$PWD/rules:/app/rules:ro" -v "$PWD/register.csv:/run/secrets/register.csv:ro" \
#     -e MAILGUARD_REGISTER=/run/secrets/register.csv mailguard
#
# MAILGUARD_CLIENT_NETWORKS: the networks allowed to relay (your Exchange servers). Inside a
# container the default (loopback) would refuse everyone, and 0.0.0.0/0 would be an open relay.
#
# Ports: 10025 SMTP (MAILGUARD_LISTEN), 8025 admin API, review page, /metrics, /healthz, /readyz
# (MAILGUARD_ADMIN_LISTEN). Mounts: rules at /app/rules, the register wherever
# MAILGUARD_REGISTER points (a secret), local state at /var/lib/mailguard.

ARG PYTHON_IMAGE=python:3.13-slim-bookworm

# ---- build: a virtualenv with mailguard and its runtime dependencies only (no test extras) ----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# a C compiler and OpenSSL's headers build the register's compiled module (_native.c and its parts); the
# runtime stage needs only libcrypto, which the Python image has. Not pinned (DL3008): this stage
# is discarded, and a pin would break at every Debian point release.
# hadolint ignore=DL3008
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends gcc libc6-dev libssl-dev >/dev/null \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/mailguard
WORKDIR /src
COPY pyproject.toml setup.py README.md constraints.txt ./
COPY mailguard ./mailguard
# constraints.txt pins every runtime dependency: the same sources build the same image. The
# compiled parts must have built (-I: the installed package, not the sources in /src).
RUN /opt/mailguard/bin/pip install --no-cache-dir -c constraints.txt . \
 && /opt/mailguard/bin/python -I -c "import mailguard.detect.register._native" \
 && /opt/mailguard/bin/pip uninstall --yes pip

# ---- runtime: slim base, the virtualenv, a non-root user; /app/rules is empty (the shipped
#      defaults apply) until rule files are mounted there ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="mailguard" \
      org.opencontainers.image.description="Outbound SMTP proxy filter" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 mailguard \
 && useradd --system --uid 10001 --gid mailguard --home-dir /var/lib/mailguard --shell /usr/sbin/nologin mailguard \
 && install -d -o mailguard -g mailguard -m 0750 /var/lib/mailguard \
 && install -d -m 0755 /app/rules
COPY --from=build /opt/mailguard /opt/mailguard
ENV PATH=/opt/mailguard/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MAILGUARD_LISTEN=0.0.0.0:10025 \
    MAILGUARD_ADMIN_LISTEN=0.0.0.0:8025 \
    MAILGUARD_RULES_DIR=/app/rules \
    MAILGUARD_DATA_DIR=/var/lib/mailguard \
    MAILGUARD_LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/mailguard-metrics
WORKDIR /var/lib/mailguard
USER 10001:10001
EXPOSE 10025 8025
VOLUME ["/var/lib/mailguard"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os,sys,urllib.request as u; p=os.environ.get('MAILGUARD_ADMIN_LISTEN','0.0.0.0:8025').rpartition(':')[2]; sys.exit(0 if u.urlopen(f'http://127.0.0.1:{p}/healthz', timeout=4).status == 200 else 1)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["mailguard"]
CMD ["serve"]
