# Browser libraries (Leaflet) come from npm at build time, never from the repo.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libstdc++6 \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir "setuptools>=69,<81" wheel \
    && pip install --no-cache-dir --no-build-isolation .
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# node only to cut Bootstrap down to what the templates use (scripts/build_css.py).
COPY --from=assets /usr/local/bin/node /usr/local/bin/node
RUN python scripts/compile_messages.py \
    && python scripts/build_css.py \
    && DJANGO_SETTINGS_MODULE=dms_portal.settings.base python manage.py collectstatic --noinput
ENV DJANGO_SETTINGS_MODULE=dms_portal.settings.production
EXPOSE 8000
