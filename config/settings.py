"""Niryat settings: one file, configured by environment variables (see .env.example).

NIRYAT_ENV picks the profile: "development" (default, `make run`), "test", or "production".
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


NIRYAT_ENV = env_str("NIRYAT_ENV", "development")
if NIRYAT_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("NIRYAT_ENV must be development, test or production.")
PRODUCTION = NIRYAT_ENV == "production"

DEBUG = env_bool("DEBUG", default=NIRYAT_ENV == "development")
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")
else:
    # Development and tests only; production refuses to start without its own key.
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-" + "x" * 40)
    # *.localhost is loopback (RFC 6761): the demo's ONDC node answers as edc-gorakhpur.localhost.
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,.localhost,testserver")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ninja",
    "niryat.core",
    "niryat.registry",
    "niryat.catalog",
    "niryat.channels",
    "niryat.messaging",
    "niryat.exportdesk",
    "niryat.events",
    "niryat.payouts",
    "niryat.insights",
    "niryat.showcase",
    # The composition root: its commands (seed_demo) reach every app.
    "niryat.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "niryat.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "niryat.core.middleware.SessionExpiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "niryat.core.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Served by gunicorn behind nginx; in development `runserver` serves static files itself.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "niryat.site.context_processors.navigation",
            ],
            # Dates and money are written one way on every page (niryat/core/dates.py, money.py).
            "builtins": ["niryat.core.templatetags.niryat_format"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web server reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if NIRYAT_ENV == "test":
    # Argon2 is deliberately slow; tests hash hundreds of passwords. Production keeps Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes): per user name and address combined, so that one
# person's mistakes never lock out the colleagues who share the centre's connection or proxy, for
# a cool-off period that tries during the lockout do not extend.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The request header in which the proxy in front of the site (nginx) puts the client's address,
# e.g. X-Real-IP; empty: the connection's own address (REMOTE_ADDR), when nothing is in front.
# Set it only behind such a proxy: a client could otherwise write the header itself.
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "niryat.core.client_address.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("hi", "हिन्दी")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "niryat_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True
# One date style per language (niryat/core/dates.py); replaces Django's "N j, Y" and "d-m-Y".
FORMAT_MODULE_PATH = ["niryat.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Where this site is reached from outside; marketplaces fetch photos through it (local disk).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Photos and uploaded sheets: local disk by default; an S3-compatible bucket (AWS S3, MinIO...)
# when MEDIA_BUCKET is set, because marketplaces such as Amazon fetch listing images from a public
# HTTPS address. boto3 reads the credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
MEDIA_BUCKET = env_str("MEDIA_BUCKET", "")
if MEDIA_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": env_str("MEDIA_ENDPOINT_URL", "") or None,
            "region_name": env_str("MEDIA_REGION", "") or None,
            "custom_domain": env_str("MEDIA_PUBLIC_DOMAIN", "") or None,
            # Plain URLs that do not expire, for marketplaces to fetch; the bucket policy makes
            # only catalogue/ public (README), never the uploaded sheets.
            "querystring_auth": False,
            "file_overwrite": True,
        },
    }

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "niryat@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

# Messages to producers (niryat/core/messaging.py, the gateway in niryat/messaging): the backend
# of each channel. `make run` writes them to the console; tests keep them in memory. Real
# providers: niryat.messaging.backends.msg91.Msg91Backend (SMS), .whatsapp.WhatsAppBackend,
# .email.EmailBackend.
MESSAGING_GATEWAY = "niryat.messaging.gateway.DatabaseGateway"
# Who answers "प्रशिक्षण" / "training" with a producer's coming sessions
# (niryat.core.messaging.Agenda).
MESSAGING_AGENDA = "niryat.events.agenda.EventsAgenda"
_LOCAL_BACKEND = (
    "niryat.messaging.backends.local.MemoryBackend"
    if NIRYAT_ENV == "test"
    else "niryat.messaging.backends.local.ConsoleBackend"
)
MESSAGING_BACKENDS = {
    "sms": env_str("SMS_BACKEND", _LOCAL_BACKEND),
    "whatsapp": env_str("WHATSAPP_BACKEND", _LOCAL_BACKEND),
    "email": env_str("MESSAGE_EMAIL_BACKEND", _LOCAL_BACKEND),
}
# No message but the urgent (sign-in codes) and those the law requires goes out between these
# hours, India's time: it waits for the end of them. Equal hours: no quiet hours.
# Tests turn them off (a test run at 22:00 would otherwise wait for the morning); the quiet
# hours' own tests set them.
MESSAGING_QUIET_HOURS = (
    env_int("MESSAGING_QUIET_FROM_HOUR", 0 if NIRYAT_ENV == "test" else 21),
    env_int("MESSAGING_QUIET_UNTIL_HOUR", 0 if NIRYAT_ENV == "test" else 8),
)
MESSAGING_RETRY_SECONDS = float(env_str("MESSAGING_RETRY_SECONDS", "30"))
MESSAGING_RETRY_CAP_SECONDS = float(env_str("MESSAGING_RETRY_CAP_SECONDS", "3600"))
MESSAGING_MAX_ATTEMPTS = env_int("MESSAGING_MAX_ATTEMPTS", 10)
MESSAGING_LEASE_SECONDS = float(env_str("MESSAGING_LEASE_SECONDS", "120"))
# A call the provider did not answer in time may have been taken: the message waits this long
# for a report naming it before it is sent again (niryat/messaging/gateway.py explains the risk).
MESSAGING_CONFIRM_SECONDS = float(env_str("MESSAGING_CONFIRM_SECONDS", "900"))
# A worker sends up to this many due messages in one go, making up to this many calls at once.
MESSAGING_BATCH = env_int("MESSAGING_BATCH", 200)
MESSAGING_SEND_THREADS = env_int("MESSAGING_SEND_THREADS", 8)
# MSG91 (SMS): the API's address and the account's auth key; the token in the address of our
# delivery-report webhook (MSG91 signs nothing, so the address is the secret).
MSG91_API_URL = env_str("MSG91_API_URL", "https://api.msg91.com")
MSG91_AUTH_KEY = env_str("MSG91_AUTH_KEY", "")
MSG91_WEBHOOK_TOKEN = env_str("MSG91_WEBHOOK_TOKEN", "")
# Replies by SMS come to our long code; MSG91 forwards them to /hooks/msg91/inbound/<token>/.
# Only the SHA-256 of that token is kept here (hex), so the address cannot be read from the
# settings; and the keyword a shared long code needs in front of every SMS ("NIRYAT").
MSG91_INBOUND_TOKEN_SHA256 = env_str("MSG91_INBOUND_TOKEN_SHA256", "").lower()
MSG91_INBOUND_KEYWORD = env_str("MSG91_INBOUND_KEYWORD", "")
# WhatsApp Business Cloud API (Meta): the Graph API's address and version, the business phone
# number's id, the system user's access token, the app secret that signs webhooks
# (X-Hub-Signature-256) and the token we chose for the webhook's verification handshake.
WHATSAPP_API_URL = env_str("WHATSAPP_API_URL", "https://graph.facebook.com")
WHATSAPP_API_VERSION = env_str("WHATSAPP_API_VERSION", "v21.0")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_ACCESS_TOKEN = env_str("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN", "")
OTP_VALID_MINUTES = env_int("OTP_VALID_MINUTES", 10)
OTP_MAX_ATTEMPTS = env_int("OTP_MAX_ATTEMPTS", 5)
OTP_MAX_CODES_PER_HOUR = env_int("OTP_MAX_CODES_PER_HOUR", 5)

TASKS = {
    "default": {
        "BACKEND": env_str("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Where reference data (districts, ODOP products) is loaded from by `manage.py load_reference_data`.
REFERENCE_DATA_DIR = Path(
    env_str("REFERENCE_DATA_DIR", str(BASE_DIR / "niryat" / "core" / "data" / "states" / "up"))
)

NINJA_PAGINATION_PER_PAGE = 100
# Every list route's limit and offset bounded in one place (a 422, not a database overflow).
NINJA_PAGINATION_CLASS = "niryat.core.pagination.BoundedLimitOffsetPagination"

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts only from the site
# itself, no inline script or style (templates keep theirs in static/), so an injected
# <script> or style attribute does nothing. Photos are served through the site's own views;
# barcodes in label previews and the API docs' icons are data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (niryat.core.middleware): the site uses no browser feature beyond plain pages
# and file uploads; nothing on it, nor anything injected into it, may ask for them.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "midi": [],
    "accelerometer": [],
    "gyroscope": [],
    "magnetometer": [],
    "display-capture": [],
    "interest-cohort": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log every font and page of a label PDF at INFO; httpx every call.
    "loggers": {
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}

SITE_NAME = _("Niryat")

# The public showcase (niryat/showcase): how long a rendered page is kept in the cache (the hooks
# drop every page at once when a producer or product leaves it; a catalogue edit, a new price or
# stock shows after this long at most), and how many enquiries one address may send in an hour.
SHOWCASE_CACHE_SECONDS = env_int("SHOWCASE_CACHE_SECONDS", 600)
SHOWCASE_ENQUIRIES_PER_HOUR = env_int("SHOWCASE_ENQUIRIES_PER_HOUR", 5)


# Hooks (DESIGN.md, "Layout and layers"): the apps above the registry and the catalogue that
# hear of their writes, called in this order inside the writing transaction.
PRODUCER_HOOKS = [
    "niryat.catalog.on_registry.CatalogProducerHooks",
    "niryat.channels.on_registry.ChannelProducerHooks",
    "niryat.channels.ondc.push.OndcProducerHooks",
    "niryat.messaging.on_registry.MessagingProducerHooks",
    "niryat.exportdesk.on_registry.ExportDeskProducerHooks",
    "niryat.events.on_registry.EventsProducerHooks",
    "niryat.showcase.on_registry.ShowcaseProducerHooks",
    "niryat.showcase.voice_hooks.VoiceProducerHooks",
]
SKU_HOOKS = [
    "niryat.channels.on_catalog.ChannelSkuHooks",
    "niryat.channels.ondc.push.OndcSkuHooks",
    "niryat.showcase.on_catalog.ShowcaseSkuHooks",
]
# The apps that hear of settlements a marketplace pushes to us (ONDC's reconciliation messages).
SETTLEMENT_HOOKS = [
    "niryat.payouts.on_channels.PayoutSettlementHooks",
]

# The import framework's importers (niryat/core/sheets), by key, for the background task.
SHEET_IMPORTERS = [
    "niryat.registry.bulk_import.ProducerImporter",
    "niryat.catalog.bulk_import.CatalogueImporter",
    "niryat.events.bulk_import.TraineeImporter",
    "niryat.payouts.importers.SettlementReportImporter",
]
# How long an uploaded sheet with errors is kept, for its error sheet and "import the valid rows";
# a sheet imported without errors is deleted as soon as its job ends. `manage.py
# delete_old_sheets` (from cron, daily) deletes the ones whose time is up.
IMPORT_FILE_RETENTION = datetime.timedelta(days=env_int("IMPORT_FILE_RETENTION_DAYS", 7))

# Marketplace channels (niryat/channels). Every client's base URL comes from here, so tests and
# demo mode (`make run`) talk to the local fakes in fakes/ instead of the marketplaces.
CHANNEL_ENDPOINTS = {
    "amazon": env_str("AMAZON_SP_API_URL", "https://sellingpartnerapi-eu.amazon.com"),
    "amazon_auth": env_str("AMAZON_LWA_URL", "https://api.amazon.com"),
    # Amazon's North America and Far East regions (US, CA; AU, SG); empty: the address above.
    "amazon_na": env_str("AMAZON_SP_API_URL_NA", ""),
    "amazon_fe": env_str("AMAZON_SP_API_URL_FE", ""),
    "flipkart": env_str("FLIPKART_API_URL", "https://api.flipkart.net"),
    "ebay": env_str("EBAY_API_URL", "https://api.ebay.com"),
}
# ONDC's registry (staging, pre-production or production) and its published X25519 public key,
# which opens the challenge it sends to /ondc/on_subscribe (shared/ONDC_FACTS.md §3.4).
ONDC_REGISTRY_URL = env_str("ONDC_REGISTRY_URL", "https://staging.registry.ondc.org")
ONDC_REGISTRY_ENCRYPTION_KEY = env_str(
    "ONDC_REGISTRY_ENCRYPTION_KEY", "MCowBQYDK2VuAyEAduMuZgmtpjdCuxv+Nc49K0cB6tL/Dj3HZetvVN7ZekM="
)
# A callback (on_<action>) the buyer app could not take (timeout, 429, 5xx) is tried again after
# 1, 2, 4... seconds, this many times in all, then given up and logged: PT30S is the longest a
# buyer app waits for it (niryat/channels/ondc/server.py).
ONDC_CALLBACK_ATTEMPTS = env_int("ONDC_CALLBACK_ATTEMPTS", 6)
ONDC_CALLBACK_RETRY_SECONDS = float(env_str("ONDC_CALLBACK_RETRY_SECONDS", "1"))
# How long the ONDC message log (every request and callback, as sent) is kept; `manage.py
# prune_ondc_messages` (from cron, daily) deletes older messages.
ONDC_MESSAGE_RETENTION = datetime.timedelta(days=env_int("ONDC_MESSAGE_RETENTION_DAYS", 180))
# The centre's promises in its ONDC catalogue (ISO-8601 durations): time to ship a stocked item
# (a made-to-order one ships in its product's lead time) and the return window; the days (1 =
# Monday) and hours (HHMM) goods are handed over at a pickup location.
ONDC_TIME_TO_SHIP = env_str("ONDC_TIME_TO_SHIP", "P2D")
ONDC_RETURN_WINDOW = env_str("ONDC_RETURN_WINDOW", "P7D")
ONDC_WORKING_DAYS = env_str("ONDC_WORKING_DAYS", "1,2,3,4,5,6")
ONDC_WORKING_HOURS = tuple(env_str("ONDC_WORKING_HOURS", "1000-1800").split("-", 1))
# Catalogue changes are gathered and pushed to subscribed buyer apps every so many minutes (ONDC
# allows 1 to 30); an unacknowledged push is sent again after a delay that doubles from
# ONDC_PUSH_RETRY_SECONDS up to the push interval.
ONDC_PUSH_MINUTES = float(env_str("ONDC_PUSH_MINUTES", "5"))
ONDC_PUSH_RETRY_SECONDS = float(env_str("ONDC_PUSH_RETRY_SECONDS", "30"))
# Demo mode (`make run`): the marketplaces are the fakes, and pages say what to type where a
# real marketplace would give it (the FSN of Flipkart's Seller Hub).
DEMO_MODE = env_bool("DEMO_MODE", False)
CHANNEL_HTTP_TIMEOUT = float(env_str("CHANNEL_HTTP_TIMEOUT", "20"))
# Fernet keys (urlsafe base64, 32 bytes) that encrypt marketplace credentials, newest first:
# add a new key in front, run `manage.py rotate_channel_keys`, then drop the old one. Outside
# production a key is derived from SECRET_KEY so that `make run` needs no setup.
CHANNEL_SECRET_KEYS = env_list("CHANNEL_SECRET_KEYS")
if PRODUCTION and not CHANNEL_SECRET_KEYS:
    raise ImproperlyConfigured("Set CHANNEL_SECRET_KEYS (see README: marketplace credentials).")
# Outbox retries: the first retry after this many seconds, doubling with jitter, up to the cap;
# after CHANNEL_MAX_ATTEMPTS an entry waits in "needs attention".
CHANNEL_RETRY_SECONDS = float(env_str("CHANNEL_RETRY_SECONDS", "5"))
CHANNEL_RETRY_CAP_SECONDS = float(env_str("CHANNEL_RETRY_CAP_SECONDS", "900"))
CHANNEL_MAX_ATTEMPTS = env_int("CHANNEL_MAX_ATTEMPTS", 8)
# A submitted listing is polled after this many seconds (doubling), until live or rejected; after
# CHANNEL_MAX_POLLS it is shown as stuck in review.
CHANNEL_POLL_SECONDS = float(env_str("CHANNEL_POLL_SECONDS", "30"))
CHANNEL_MAX_POLLS = env_int("CHANNEL_MAX_POLLS", 12)

# Payouts (niryat/payouts): a difference in rupees up to this much between what a payout or an
# order line says and what its parts add up to, or what a fee or tax should be, is rounding and
# not flagged.
PAYOUTS_TOLERANCE = env_str("PAYOUTS_TOLERANCE", "1.00")
