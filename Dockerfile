# escalation-agent container: a wheel built in one stage, installed into a virtualenv
# there, and the virtualenv copied into a slim runtime that runs as a non-root user.
# No secrets are baked in: pass them as environment variables (or a mounted
# --env-file) at run time.
#
# Reproducible: the base image is pinned by digest (python:3.11-slim-bookworm as
# published on Docker Hub; the development machines have no Docker engine, so the
# digest was not pulled here: check it with
#   docker buildx imagetools inspect python:3.11-slim-bookworm
# and move it forward deliberately, e.g. with --build-arg PYTHON_IMAGE=...), and every
# Python package, build tools included, is pinned in constraints.txt.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt pip build
COPY pyproject.toml README.md ./
COPY agent ./agent
COPY rules ./rules
COPY templates ./templates
COPY config.example.env ./
# PIP_CONSTRAINT pins setuptools and wheel in build's isolated environment too.
RUN PIP_CONSTRAINT=/src/constraints.txt python -m build --wheel --outdir /dist
# The runtime's virtualenv, made here so pip and setuptools stay out of the image.
RUN python -m venv --without-pip /opt/venv \
    && pip --python /opt/venv/bin/python install --no-cache-dir -c constraints.txt /dist/*.whl

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:$PATH" \
    AGENT_STATE_URL="sqlite:////var/lib/escalation-agent/agent-state.db" \
    AGENT_LOG_FORMAT=json
RUN groupadd --system --gid 10001 agent \
    && useradd --system --uid 10001 --gid agent --home-dir /var/lib/escalation-agent --create-home agent
COPY --from=build /opt/venv /opt/venv
USER agent
WORKDIR /var/lib/escalation-agent
VOLUME ["/var/lib/escalation-agent"]
# Healthy while the loop still finishes a cycle every few poll intervals (GET /healthz, 200).
ENV AGENT_METRICS_PORT=9102
HEALTHCHECK --interval=60s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('AGENT_METRICS_PORT', '9102') + '/healthz', timeout=5)"]
ENTRYPOINT ["escalation-agent"]
CMD ["run"]
