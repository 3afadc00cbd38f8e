# syntax=docker/dockerfile:1
# Build: front-end packages from npm, Python packages from the constraints file, static files collected.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
# The Nu Html Checker (vnu-jar) is a development dependency, for the tests only.
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /venv
COPY pyproject.toml constraints.txt ./
RUN /venv/bin/pip install --constraint constraints.txt .
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN for dir in */locale; do /venv/bin/pybabel compile --domain django --directory $dir || exit 1; done \
 && DJANGO_SETTINGS_MODULE=cms.settings.production SECRET_KEY=collectstatic-only CENSUS_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    BALLOT_KEY_SECRET=collectstatic-only-not-a-ballot-secret-000 \
    /venv/bin/python manage.py collectstatic --noinput

FROM python:3.11-slim-bookworm AS runtime
ENV PATH="/venv/bin:$PATH" PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=cms.settings.production \
    MEDIA_ROOT=/data/media PRIVATE_MEDIA_ROOT=/data/private PORT=8000
RUN useradd --create-home --uid 1000 app && mkdir -p /data/media /data/private && chown -R app /data
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=build --chown=app /app /app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# The web process; the worker runs the same image with: python manage.py rqworker default mail --with-scheduler
# and the periodic jobs with: python manage.py rqcron cms.cron
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn cms.wsgi --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
