FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Debian's Chromium for browser captures (the renderer service; REEX_CHROMIUM=/usr/bin/chromium),
# and graphviz's `dot` for the ownership picture's layout (without it the hand-written one).
RUN apt-get update && apt-get install -y --no-install-recommends chromium graphviz \
    && rm -rf /var/lib/apt/lists/*
# The runtime lock: every package of the tree at its version, each file checked by its hash.
COPY requirements.lock bin/install-lock ./
RUN PIP_NO_CACHE_DIR=1 ./install-lock python requirements.lock
COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 reex && mkdir -p /app/var /data/media && chown reex /app/var /data/media
USER reex
EXPOSE 8000
CMD ["gunicorn", "reex.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
