"""Settings for the whole project, read from the environment (DESIGN.md section 8).

Nothing here is secret. Every variable is optional on a developer machine;
production sets DEBUG=0, SECRET_KEY, DATABASE_URL and REDIS_URL.
"""

import zoneinfo
from datetime import time
from pathlib import Path

import dj_database_url
import phonenumbers
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "csp",
    "axes",
    "channels",
    "core",
    "realtime",
    "dispatch",
    "workorders",
    "sla",
    "subscriptions",
    "printing",
    "followup",
    "enquiries",
    "reports",
    "front",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # Before anything reads REMOTE_ADDR (the login lockout).
    "core.middleware.ClientAddressFromTrustedProxy",
    # Before the session and authentication read their cookie or token.
    "core.middleware.RefuseNulCharacters",
    "core.middleware.RefuseOversizedBodies",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, whose static files keep their long cache lifetimes.
    "core.middleware.NoStoredCopies",
    "csp.middleware.CSPMiddleware",
    # Before the session, authentication or a view takes a database connection.
    "core.middleware.CheckDatabaseConnection",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a logged-in person gets the language they chose.
    "dispatch.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        # Under ASGI every request runs in a thread of its own, so Django's
        # persistent connections (CONN_MAX_AGE) are never reused but pile up:
        # the load test (bench/load/) reached PostgreSQL's max_connections with
        # 24 clients. PostgreSQL connections come from a pool instead (below),
        # which keeps them open across requests and threads; SQLite opens a
        # file, which costs next to nothing.
        "default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=0)
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the one-process embedded default; wait for a writer instead of
    # failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's pool (psycopg_pool), one per process. DB_POOL_MAX times the
    # processes must stay under the server's max_connections. The pool's own
    # check of a connection taken (CONN_HEALTH_CHECKS) is off: after the
    # server dropped its connections (restart, failover, terminated backends)
    # it sleeps 1 s, 2 s, 4 s... between the dead ones it finds, and a request
    # waits up to DB_POOL_TIMEOUT_SECONDS for a 500. A request's connection is
    # checked by core.middleware.CheckDatabaseConnection instead, which
    # replaces every dead one at once or answers 503 with Retry-After; the
    # board sockets and the workers retry a failed database call themselves.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN", 2, minimum=0),
        "max_size": env_int("DB_POOL_MAX", 10, minimum=1),
        "timeout": env_int("DB_POOL_TIMEOUT_SECONDS", 10, minimum=1),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer delivered every event under overload where the
            # list-based layer dropped them; the event table covers the rest.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # socket_timeout=None: redis-py's read timeout otherwise races the
            # layer's blocking read and closes idle sockets (channels_redis #422).
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Auth -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a login while its username and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# --- Languages and time ---------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English")), ("sv", _("Swedish"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE must be one of zh-hans, en, sv; got {LANGUAGE_CODE!r}"
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}") from None
USE_I18N = True
USE_TZ = True

PHONE_REGION = env_str("PHONE_REGION", "CN").upper()
if PHONE_REGION not in phonenumbers.SUPPORTED_REGIONS:
    raise ImproperlyConfigured(f"PHONE_REGION must be a two-letter region code; got {PHONE_REGION!r}")
PHONENUMBER_DEFAULT_REGION = PHONE_REGION
PHONENUMBER_DB_FORMAT = "E164"
HOLIDAY_COUNTRY = env_str("HOLIDAY_COUNTRY", "CN").upper()

# --- Static files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with a WWW-Authenticate
    # header, which tells an API client what to do, instead of a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.rest.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "core.rest.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.exception_handler.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community elderly-care dispatch API",
    "VERSION": "1.0.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: desks may have no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models have a `kind` field with their own choices: each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "PrintKindEnum": "printing.models.PrintKind",
        "IncidentKindEnum": "workorders.models.IncidentKind",
    },
    # Every operation documents the error shape of core.exception_handler.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.document_errors"],
}

# --- Domain settings --------------------------------------------------------------
DEPARTMENT_NAME = env_str("DEPARTMENT_NAME", "社区养老服务部")
DEPARTMENT_PHONE = env_str("DEPARTMENT_PHONE", "")
# The desk's opening hours as the acknowledgement and the public pages say them.
DEPARTMENT_HOURS = env_str("DEPARTMENT_HOURS", "08:00-17:00")

# --- Written requests (enquiries/) ---------------------------------------------------
# The public address of this site, for the links in mail ("https://care.example.org").
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# An answer is due within this many working days (a topic may say otherwise).
ENQUIRY_REPLY_WORKING_DAYS = env_int("ENQUIRY_REPLY_WORKING_DAYS", 2, minimum=1)
# A requester's message reopens a closed case this many days after closing;
# later it starts a new case linked to the old. Status links last as long.
ENQUIRY_REOPEN_DAYS = env_int("ENQUIRY_REOPEN_DAYS", 30, minimum=1)
# At most this many acknowledgements to one address in 24 hours (mail loops).
ENQUIRY_ACKS_PER_ADDRESS_PER_DAY = env_int("ENQUIRY_ACKS_PER_ADDRESS_PER_DAY", 3, minimum=1)
# A referred illness question's text is removed this many days after referral.
ENQUIRY_ILLNESS_TEXT_DAYS = env_int("ENQUIRY_ILLNESS_TEXT_DAYS", 30, minimum=0)
# The medical advice line the illness notice names (e.g. "1177" in Sweden, "12320" in China).
MEDICAL_ADVICE_LINE = env_str("MEDICAL_ADVICE_LINE", "12320")
# Mail: a monitored From address, and the domain of the per-case Reply-To
# addresses (case+<reference>.<signature>@MAIL_REPLY_DOMAIN) the receiver takes.
MAIL_FROM = env_str("MAIL_FROM", "care@localhost")
MAIL_REPLY_DOMAIN = env_str("MAIL_REPLY_DOMAIN", MAIL_FROM.rpartition("@")[2] or "localhost")
# Without EMAIL_HOST (the embedded default) mail is written as files here.
MAIL_FILE_DIR = Path(env_str("MAIL_FILE_DIR", str(VAR_DIR / "mail")))
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = MAIL_FROM
# The SMTP receiver (manage.py run_mail_receiver): where it listens, the
# domains it takes mail for, the largest message it accepts.
INBOUND_SMTP_BIND = env_str("INBOUND_SMTP_BIND", "127.0.0.1:2525")
INBOUND_MAIL_DOMAINS = env_list("INBOUND_MAIL_DOMAINS", [MAIL_REPLY_DOMAIN])
INBOUND_MAIL_MAX_BYTES = env_int("INBOUND_MAIL_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

# --- Logging: JSON lines with a request id; never personal data ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env_str("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Daphne's own request lines carry query strings (a phone, a token):
        # core.access_log writes the access log without them.
        "daphne.access": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
    },
}
if LOGGING["handlers"]["console"]["formatter"] not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json")

# --- Security -----------------------------------------------------------------------
# Content security policy on every page, in development too, so a screen that
# needs an inline script fails in the tests, not in production.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The admin and Swagger UI set a few style attributes.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "media-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
# Shared desk computers: a session ends after a shift's idle time or when the
# browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the screens' scripts read the token for API calls
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Password guessing: five failures lock that username from that address, and
# AXES_USERNAME_FAILURE_LIMIT failures from any addresses lock the username
# everywhere (core.api.LoginFailures): without the second a guesser with many
# addresses tries without end. It is higher because anyone can reach it with
# wrong passwords and lock the person out at their own desk for the cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "core.api.LoginFailures"
# 429 in the request's language: a page in the site's layout, JSON under /api/.
AXES_LOCKOUT_CALLABLE = "core.error_pages.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its messages name the username
# The address the lockout counts is REMOTE_ADDR, which
# core.middleware.ClientAddressFromTrustedProxy sets to the right-most
# address of X-Forwarded-For that the TRUSTED_PROXY_COUNT proxies in front
# wrote (deploy/nginx.conf writes the client's address, one proxy: 1). With
# none (0, the default: `make run` serves directly) the header is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Behind the TLS-terminating proxy (deploy/nginx.conf sets the header).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # /healthz and /readyz are probed over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

ORDER_EVENTS_REPLAY_LIMIT = env_int("ORDER_EVENTS_REPLAY_LIMIT", 1000, minimum=1)

# --- Live board (realtime) ------------------------------------------------------------
# Roles (group names) that may watch the board and read the event feed, and
# those that may acknowledge an alert. realtime knows roles only by these names.
BOARD_ROLES = env_list("BOARD_ROLES", ["dispatcher", "dispatch_lead", "supervisor"])
ALERT_ACK_ROLES = env_list("ALERT_ACK_ROLES", ["dispatcher", "dispatch_lead"])
ALERT_ESCALATION_ROLE = env_str("ALERT_ESCALATION_ROLE", "dispatch_lead")
# An unacknowledged alert sounds again every ALERT_REPEAT_SECONDS and goes to the
# lead after ALERT_ESCALATE_SECONDS (run_alert_worker does the timing).
ALERT_REPEAT_SECONDS = env_int("ALERT_REPEAT_SECONDS", 60, minimum=1)
ALERT_ESCALATE_SECONDS = env_int("ALERT_ESCALATE_SECONDS", 300, minimum=1)
# Server ping on every board socket; also when a board re-checks the event table
# for anything the channel layer lost. Proxies commonly cut idle sockets at 60 s.
BOARD_HEARTBEAT_SECONDS = env_int("BOARD_HEARTBEAT_SECONDS", 20, minimum=1)

# --- Follow-up calls and escalations (followup) -----------------------------------------
# A returned order is to be called back within FOLLOWUP_DUE_WORKING_DAYS working
# days; an attempt that does not reach the resident is retried after
# FOLLOWUP_RETRY_MINUTES, and after FOLLOWUP_MAX_ATTEMPTS of them the order closes
# as unreachable. An escalation not resolved within ESCALATION_DUE_HOURS goes to
# the supervisor (run_followup_checks does the timing).
FOLLOWUP_DUE_WORKING_DAYS = env_int("FOLLOWUP_DUE_WORKING_DAYS", 1, minimum=0)
FOLLOWUP_RETRY_MINUTES = env_int("FOLLOWUP_RETRY_MINUTES", 120, minimum=1)
FOLLOWUP_MAX_ATTEMPTS = env_int("FOLLOWUP_MAX_ATTEMPTS", 3, minimum=1)
ESCALATION_DUE_HOURS = env_int("ESCALATION_DUE_HOURS", 24, minimum=1)

# --- Fees (workorders) -------------------------------------------------------------------------
# A payment finance confirmed may be undone for this many minutes (a wrong row
# clicked); later a correction is the accounts' business.
FEE_UNDO_MINUTES = env_int("FEE_UNDO_MINUTES", 10, minimum=1)

# --- Service levels, calendars (sla) and recurring services (subscriptions) ---------------------------
# Opening hours of a weekday with no row in the admin's opening hours ("HH:MM-HH:MM").
SLA_DEFAULT_OPENING_HOURS = env_str("SLA_DEFAULT_OPENING_HOURS", "08:30-17:30")
try:
    _opens, _closes = (time.fromisoformat(part.strip()) for part in SLA_DEFAULT_OPENING_HOURS.split("-"))
except ValueError:
    _opens = _closes = None
if _opens is None or _closes is None or _opens >= _closes:
    raise ImproperlyConfigured(f"SLA_DEFAULT_OPENING_HOURS must be like 08:30-17:30; got {SLA_DEFAULT_OPENING_HOURS!r}")
# An order with an agreed time is started late this many minutes after it.
SLA_START_GRACE_MINUTES = env_int("SLA_START_GRACE_MINUTES", 30, minimum=0)
# Overdue alerts go to the dispatcher at the deadline, to the dispatch lead and
# then to the supervisor these many minutes after it (run_scheduler does the timing).
SLA_LEAD_LAG_MINUTES = env_int("SLA_LEAD_LAG_MINUTES", 60, minimum=0)
SLA_SUPERVISOR_LAG_MINUTES = env_int("SLA_SUPERVISOR_LAG_MINUTES", 240, minimum=0)
# A subscription's occurrence gets its order this many hours ahead.
SUBSCRIPTION_LEAD_HOURS = env_int("SUBSCRIPTION_LEAD_HOURS", 48, minimum=1)
# Orders whose deadlines one scheduler pass computes at most (the rest: next pass).
SCHEDULER_BATCH_SIZE = env_int("SCHEDULER_BATCH_SIZE", 20000, minimum=100)

# --- Board socket input (realtime) -----------------------------------------------------------
# A board sends a few small messages (resume, ack, ping); a client that sends
# more than BOARD_MESSAGE_BURST at once, beyond BOARD_MESSAGES_PER_SECOND, is
# sent an error and closed with code 4429. Larger messages are refused.
BOARD_MESSAGES_PER_SECOND = env_int("BOARD_MESSAGES_PER_SECOND", 10, minimum=1)
BOARD_MESSAGE_BURST = env_int("BOARD_MESSAGE_BURST", 50, minimum=1)
BOARD_MESSAGE_MAX_CHARS = env_int("BOARD_MESSAGE_MAX_CHARS", 4096, minimum=256)
