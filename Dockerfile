FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 reex && mkdir -p /app/var /data/media && chown reex /app/var /data/media
USER reex
EXPOSE 8000
CMD ["gunicorn", "reex.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
