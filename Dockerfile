# escalation-agent container: a wheel built in one stage, installed into a slim
# runtime as a non-root user. No secrets are baked in: pass them as environment
# variables (or a mounted --env-file) at run time.

FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip build
COPY pyproject.toml README.md ./
COPY agent ./agent
COPY rules ./rules
COPY templates ./templates
RUN python -m build --wheel --outdir /dist

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:$PATH" \
    AGENT_STATE_URL="sqlite:////var/lib/escalation-agent/agent-state.db" \
    AGENT_LOG_FORMAT=json
RUN python -m venv /opt/venv \
    && groupadd --system --gid 10001 agent \
    && useradd --system --uid 10001 --gid agent --home-dir /var/lib/escalation-agent --create-home agent
COPY --from=build /dist/*.whl /tmp/
RUN /opt/venv/bin/pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
USER agent
WORKDIR /var/lib/escalation-agent
VOLUME ["/var/lib/escalation-agent"]
# Healthy while the loop still finishes a cycle every few poll intervals (GET /healthz, 200).
ENV AGENT_METRICS_PORT=9102
HEALTHCHECK --interval=60s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('AGENT_METRICS_PORT', '9102') + '/healthz', timeout=5)"]
ENTRYPOINT ["escalation-agent"]
CMD ["run"]
