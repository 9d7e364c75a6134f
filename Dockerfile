# One image for every perfstack process (exporter, demo service, loadgen, analyzer).
# Build: docker build -t perfstack .   Run: docker run perfstack python -m exporter --help
#
# Stage 1 installs the dependencies (compilers only live here); stage 2 copies the virtualenv
# and the source and runs as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Only pyproject.toml first, so the dependency layer is rebuilt when dependencies change, not code.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(p['dependencies'] + p['optional-dependencies']['fast']))" > requirements.txt \
 && pip install -r requirements.txt

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 perfstack \
 && useradd --system --uid 10001 --gid perfstack --home-dir /app --shell /usr/sbin/nologin perfstack \
 && mkdir -p /reports /rendered && chown perfstack:perfstack /reports /rendered
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root performance_config.yaml pyproject.toml ./
COPY --chown=root:root perfstack ./perfstack
COPY --chown=root:root exporter ./exporter
COPY --chown=root:root loadgen ./loadgen
COPY --chown=root:root analyzer ./analyzer
COPY --chown=root:root demo ./demo
USER perfstack
# Each compose service sets its own command and health check.
CMD ["python", "-m", "exporter", "--listen", "0.0.0.0:9101"]
