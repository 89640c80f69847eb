"""Settings shared by every environment; values come from the environment (see .env.example)."""

from pathlib import Path

import environ
import xstatic.pkg.bootstrap

from dms_portal.logs import logging_config

from .schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is optional; the real environment always wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The admin site requires a TOTP second factor (dms_portal.admin_site, django-otp).
    "dms_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "dms_portal.apps.AxesConfig",  # django-axes, named in Russian
    "csp",
    "django_otp",
    "dms_portal.apps.TOTPConfig",  # django_otp.plugins.otp_totp, named in Russian
    # Project apps, in the direction data flows (see ARCHITECTURE.md).
    "notifications",
    "audit",
    "accounts",
    "policies",
    "clinics",
    "franchise",
    "invoices",
    "payments",
    "feedback",
    "faq",
    "care",
    "debts",
    "privacy",
    "monitoring",
    "portal",
]

MIDDLEWARE = [
    # First, so every response carries X-Request-ID and every log line of the request its id;
    # the metrics then time all the rest (both cheap: no database, no shared lock).
    "dms_portal.requestid.RequestIdMiddleware",
    "monitoring.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the admin lets staff in only after a TOTP token.
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sessions without «Запомнить меня» (and every staff session) end after 30 minutes idle.
    "accounts.middleware.IdleTimeoutMiddleware",
    # Offline policy cards: marks them for the service worker, clears them at «Выход».
    "portal.middleware.OfflineCardsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dms_portal.urls"
WSGI_APPLICATION = "dms_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# SQLite (`make run`): WAL lets readers work while one request writes; BEGIN IMMEDIATE takes the
# write lock when a transaction starts, so two clicks that both read and then write queue up
# for up to `timeout` seconds (a DEFERRED transaction cannot wait: its late upgrade to a writer
# fails at once with «database is locked»).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Counters (the payment notification throttle). Per process by default; with several web
# processes point it at Redis (redis://host:6379/1) so the limit is shared.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Whole account pages kept per session until the next database write (dms_portal/pagecache.py),
# at most this many seconds; 0 = off. Only with a cache all processes share (CACHE_URL on
# Redis): production turns it on, development keeps it off so an edited template shows at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0)
# Tests only: one process, so the per-process default cache is shared enough.
PAGE_CACHE_LOCAL_OK = False

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AddressThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Newly chosen passwords (registration, change, recovery; ASVS 5.0 V6.2): at least 12
# characters, not one of the common/breached passwords in the list Django ships (20,000
# entries, from leaked-password corpora; docs/security.md says why no bigger offline list).
# Accounts created by code (seed_demo's documented Demo-2026!) are not validated.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "policies:my_policies"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: «Запомнить меня» keeps 30 days; otherwise the session ends with the browser or
# after SESSION_IDLE_TIMEOUT_SECONDS without a request, whichever comes first. Staff sessions
# always have the idle limit (accounts.middleware).
SESSION_COOKIE_AGE = 30 * 24 * 3600
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
# Retention after the personal-data consent is withdrawn (docs/security.md, «Сроки хранения»).
# 152-FZ art. 21 p. 5: data processed on the consent alone are destroyed within 30 days.
RETENTION_CONSENT_DAYS = env.int("RETENTION_CONSENT_DAYS", default=30)
# 402-FZ art. 29 p. 1: primary accounting documents (invoices, payments, receipts) at least
# 5 years, counted from the end of the year they belong to.
RETENTION_ACCOUNTING_YEARS = env.int("RETENTION_ACCOUNTING_YEARS", default=5)
# Insurance records (roster entry, policy, services rendered, appeals on them): the contract
# term plus 5 years (Bank of Russia's record-keeping rules for insurers; civil-law limitation
# of claims, Civil Code art. 196), counted from the end of the policy.
RETENTION_INSURANCE_YEARS = env.int("RETENTION_INSURANCE_YEARS", default=5)
# The TOTP issuer name shown in the authenticator app (otp_enroll, seed_demo).
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="ДМС портал")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "ru"
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
LANGUAGES = [("ru", "Русский")]
# The portal's own catalogue: Russian plural forms of counted nouns (dms_portal/russian.py).
LOCALE_PATHS = [BASE_DIR / "locale"]
DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
# The locale's formats win over the three above (localisation is always on), so the portal's
# "ru" formats repeat them and give the genitive month in «22 октября» (dms_portal/formats).
FORMAT_MODULE_PATH = ["dms_portal.formats"]
PHONENUMBER_DEFAULT_REGION = "RU"
PHONENUMBER_DB_FORMAT = "E164"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the XStatic-Bootstrap package at install time, never from the repo.
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
# Leaflet comes from npm at install time (`make setup` runs `npm ci`), never from the repo.
if (BASE_DIR / "node_modules" / "leaflet" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"))
# The Bootstrap subset the portal uses (scripts/build_css.py, run by `make setup` from npm
# `bootstrap` through PurgeCSS: 60 KB instead of 232 KB). Without npm it is not built and pages
# fall back to XStatic-Bootstrap's full stylesheet.
BOOTSTRAP_CSS = "vendor/bootstrap/css/bootstrap.min.css"
if (BASE_DIR / "build" / "static" / "vendor" / "bootstrap-portal" / "bootstrap.min.css").is_file():
    STATICFILES_DIRS.append(BASE_DIR / "build" / "static")
    BOOTSTRAP_CSS = "vendor/bootstrap-portal/bootstrap.min.css"
# Hashed, compressed (gzip and, with the brotli package, br) static files; WhiteNoise serves the
# compressed variant the browser accepts.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _static_cache_year(headers, path, url):
    """Hashed static files are immutable: cached for a year (WhiteNoise says ten; a year is the
    longest HTTP caches are asked to honour, RFC 9111 §5.2.2.1 and Lighthouse's figure)."""
    if "immutable" in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "max-age=31536000, public, immutable"


WHITENOISE_ADD_HEADERS_FUNCTION = _static_cache_year
# Uploaded and generated files (registries, PDFs, attachments) live outside the web root and
# are served only through views that check ownership.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"
REGISTRY_INBOX_DIR = Path(env("REGISTRY_INBOX_DIR", default=str(BASE_DIR / "var" / "inbox")))
# A registry import whose heartbeat is older than this is interrupted (a killed worker): admin
# shows it «Прервана» and offers «Повторить загрузку»; the inbox scan picks its file up again.
REGISTRY_IMPORT_STALE_SECONDS = env.int("REGISTRY_IMPORT_STALE_SECONDS", default=300)

# Request limits (pentest #10): a request may not make the app hold unbounded data. Form
# fields (not files) up to 2.5 MB; files above 2.5 MB spool to a temporary file, not memory;
# at most 2,000 fields (the pay form posts one id per chosen invoice, a dispute one per line)
# and 10 files (an appeal takes 5). Past these, a 400 page in Russian. The proxy caps the
# whole body first (docs/production.md, «Request limits»).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: no broker configured → tasks run inline in the calling process. Even inline, Celery
# acquires a producer now and then; the in-memory transport keeps it from guessing a host.
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "memory://localhost/"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_TIMEZONE = TIME_ZONE
# Worker and beat log through settings.LOGGING (dms_portal.celery connects setup_logging).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every periodic job, in one place: dms_portal/settings/schedule.py.
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# Brute force, with a cool-off instead of a permanent lock: django-axes locks the account
# (phone) after AXES_FAILURE_LIMIT failures; an address gets its own, far higher limit
# (accounts.backends): many people share one office or carrier IP (SPEC §3.1).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
# Per phone only (a callable, so axes.W006's "add ip_address" does not apply: axes has one
# limit for all parameters, and 5 per address would lock an office; the address limit is below).
AXES_LOCKOUT_PARAMETERS = "accounts.backends.axes_lockout_parameters"
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=100)
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login.lockout"
AXES_VERBOSE = False
# Reverse proxies in front of the app; the client IP is that many hops from the right of
# X-Forwarded-For (accounts.ip). 0 = use REMOTE_ADDR.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
# django-ipware is not installed, so axes alone would see only REMOTE_ADDR (the proxy): the
# client address comes from accounts.ip, which trusts exactly PROXY_COUNT X-Forwarded-For hops.
AXES_CLIENT_IP_CALLABLE = "accounts.ip.axes_client_ip"
# Every spelling of a phone number («8 999…», «+7 999…») counts as one username.
AXES_USERNAME_CALLABLE = "accounts.phones.axes_username"

# Content-Security-Policy (django-csp 4): only our own origin; no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # No plugins, and no <base> pointing relative URLs (scripts, forms) elsewhere.
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
}

# Notifications: channel backends by dotted path (see notifications/backends.py).
SMS_BACKEND = env("SMS_BACKEND", default="notifications.backends.OutboxBackend")
EMAIL_CHANNEL_BACKEND = env("EMAIL_CHANNEL_BACKEND", default="notifications.backends.OutboxBackend")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ДМС портал <noreply@dms-portal.local>")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_API_ID = env("SMS_GATEWAY_API_ID", default="")
SMS_GATEWAY_SENDER = env("SMS_GATEWAY_SENDER", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10)
# No SMS from 21:00 to 09:00 recipient-local time (codes excepted); equal hours switch it off.
NOTIFICATIONS_QUIET_HOURS = (21, 9)
# A SENDING claim older than this belongs to a dead worker: keep it above the slowest send and
# well below the broker's visibility_timeout (see notifications/services.py).
NOTIFICATIONS_SENDING_STALE_SECONDS = env.int("NOTIFICATIONS_SENDING_STALE_SECONDS", default=900)

# Payments.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="sandbox")
YOOKASSA_SHOP_ID = env("YOOKASSA_SHOP_ID", default="")
YOOKASSA_SECRET_KEY = env("YOOKASSA_SECRET_KEY", default="")
YOOKASSA_API_URL = env("YOOKASSA_API_URL", default="https://api.yookassa.ru/v3")
YOOKASSA_CHECK_NOTIFICATION_IP = env.bool("YOOKASSA_CHECK_NOTIFICATION_IP", default=True)
YOOKASSA_TIMEOUT_SECONDS = env.float("YOOKASSA_TIMEOUT_SECONDS", default=15.0)
# Create-call attempts per click (same idempotence key each time) before «Продолжить оплату».
PAYMENT_CREATE_ATTEMPTS = env.int("PAYMENT_CREATE_ATTEMPTS", default=2)
# The reconciler asks the provider about payments pending longer than this…
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=10)
# …and expires them (freeing the invoices) once this old, if the provider confirms it can.
PAYMENT_EXPIRE_AFTER_MINUTES = env.int("PAYMENT_EXPIRE_AFTER_MINUTES", default=60)
# Notification endpoint limits: a body above this is refused (413) before anything is stored;
# one client address may post this many a minute (429 beyond; a provider redelivers later).
PAYMENT_NOTIFICATION_MAX_BYTES = env.int("PAYMENT_NOTIFICATION_MAX_BYTES", default=64 * 1024)
PAYMENT_NOTIFICATIONS_PER_MINUTE = env.int("PAYMENT_NOTIFICATIONS_PER_MINUTE", default=120)

# The insurer whose name and requisites appear on pages, invoices and certificates.
# «Клиники» map: a tile server URL template ("https://tile.example/{z}/{x}/{y}.png"); empty
# means no map, only the list. «Построить маршрут» opens this routing URL ({lat}, {lon}).
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
MAP_ROUTE_URL = env("MAP_ROUTE_URL", default="https://yandex.ru/maps/?rtext=~{lat},{lon}&rtt=auto")
# The medical desk's own alerts of SOS requests and new support messages (notifications).
MEDICAL_DESK_ALERT_EMAIL = env("MEDICAL_DESK_ALERT_EMAIL", default="")
MEDICAL_DESK_ALERT_PHONE = env("MEDICAL_DESK_ALERT_PHONE", default="")
# A support answer is also e-mailed when the user has not looked at the chat for this long.
SUPPORT_AWAY_SECONDS = env.int("SUPPORT_AWAY_SECONDS", default=120)

INSURER = {
    "name": env("INSURER_NAME", default="АО «Страховая компания «Пример»"),
    "short_name": env("INSURER_SHORT_NAME", default="СК «Пример»"),
    "inn": env("INSURER_INN", default="7700000000"),
    "kpp": env("INSURER_KPP", default="770001001"),
    "bank": env("INSURER_BANK", default="ПАО «Банк»"),
    "bik": env("INSURER_BIK", default="044525000"),
    "account": env("INSURER_ACCOUNT", default="40701810000000000001"),
    "corr_account": env("INSURER_CORR_ACCOUNT", default="30101810400000000225"),
    "phone": env("INSURER_PHONE", default="8 800 000-00-00"),
}

# «Бонусный ВЗР» certificate (issue #13: what a consulate asks for): the sum insured and its
# currency, and the assistance company's phone in international form, callable from abroad.
TRAVEL_BONUS = {
    "sum_insured": env("TRAVEL_SUM_INSURED", default="30 000"),
    "currency": env("TRAVEL_CURRENCY", default="EUR"),
    "assistance_phone": env("TRAVEL_ASSISTANCE_PHONE", default="+7 495 000-00-00"),
}

# Logs go to stdout, one line per record, each with the request id (and task id and name in
# Celery): LOG_FORMAT=json (production's default) or text (development's).
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = logging_config(level=env("LOG_LEVEL", default="INFO"), fmt=LOG_FORMAT)

# /metrics (Prometheus, monitoring.views): answered only to a request carrying
# "Authorization: Bearer <METRICS_TOKEN>" (empty = no token accepted) or coming from one of
# METRICS_NETWORKS (the client address as dms_portal.net sees it, i.e. after PROXY_COUNT);
# anyone else gets a plain 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_NETWORKS = env.list(
    "METRICS_NETWORKS",
    default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
)
# Beat's heartbeat (monitoring.tasks.beat_heartbeat) older than this is reported as late by
# /healthz and alerted on (docs/production.md, «Alerts»).
BEAT_HEARTBEAT_LATE_SECONDS = env.int("BEAT_HEARTBEAT_LATE_SECONDS", default=300)
