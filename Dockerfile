# The production image: gunicorn + Celery, PostgreSQL and Redis are separate services (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production VAR_DIR=/var/lib/portal

# WeasyPrint's libraries and fonts with Vietnamese coverage (Times New Roman → Liberation Serif); gettext for .mo.
# espeak-ng: the calling display's voice (queueing/voice.py), offline.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core fonts-liberation2 gettext curl espeak-ng \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
RUN django-admin compilemessages --ignore=.venv \
 && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput \
 && useradd --system --home /app portal && mkdir -p /var/lib/portal && chown portal /var/lib/portal
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi"]
