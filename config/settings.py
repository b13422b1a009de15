"""Django settings. Every value comes from the environment through django-environ.

The defaults are the embedded set-up for ``make run`` (SQLite and a file-system Celery broker
that needs no server). Production points DATABASE_URL at PostgreSQL and CELERY_BROKER_URL at
Redis or RabbitMQ; README.md lists every variable.
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from config.secret import dev_secret_key, private_file, var_dir_private

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Optional KEY=value file (ENV_FILE, default .env in the project folder; empty: none). Values
# already in the environment win over the file.
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)

# Embedded database, generated development key, file-system broker, static and media files.
# A relative path is taken from the project folder.
VAR_DIR = BASE_DIR / env.str("VAR_DIR", default="var")

DEBUG = env.bool("DEBUG", default=False)
# Test runs (pytest imported in this process) may use the generated development key.
TESTING = "pytest" in sys.modules
# manage.py commands that only read the code (never sign, encrypt or serve anything) run anywhere.
CODE_ONLY_COMMAND = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] == ["makemigrations"]
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and CODE_ONLY_COMMAND and not DEBUG:
    SECRET_KEY = "code-only-" + os.urandom(32).hex()  # never used, never stored
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        # Production (DEBUG off) never invents its key: sessions, password reset links and the
        # encrypted channel credentials depend on it staying the same on every machine.
        # `make run` (config.runall) passes the key it keeps in VAR_DIR/secret_key.
        raise environ.ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for development, "
            "or start the embedded set-up with `make run`)"
        )
    # Development and tests only: a stable key stored beside the embedded database.
    SECRET_KEY = dev_secret_key(VAR_DIR)
    if TESTING:
        # Processes the tests start (manage.py, gunicorn, celery) run with DEBUG off too.
        os.environ.setdefault("SECRET_KEY", SECRET_KEY)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # a problem document under /api/

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc files served by us (no CDN)
    "django_celery_beat",
    "axes",
    "auditlog",
    "inventory_app",
    "channels_app",
    "shipping_app",
    "accounting_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Under /api/: problem documents for every error, ETag / If-None-Match, RateLimit-* fields.
    "inventory_app.api.middleware.ApiResponseMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Audit history: who made each change (config.audit).
    "config.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out login with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend whose flush lifts the ledger's DELETE triggers for itself (config/sqlite).
    DATABASES["default"]["ENGINE"] = "config.sqlite"
    # The embedded database and everything in VAR_DIR are the owner's only (0600 / 0700).
    var_dir_private(VAR_DIR)
    if str(DATABASES["default"]["NAME"]) not in ("", ":memory:"):
        private_file(Path(DATABASES["default"]["NAME"]))
    # IMMEDIATE: a write transaction takes the database write lock at BEGIN, so two writers
    # never deadlock upgrading read locks; WAL lets readers proceed during a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        }
    )
    _sqlite_name = str(DATABASES["default"].get("NAME") or "")
    if _sqlite_name and not _sqlite_name.startswith((":memory:", "file:")):
        # The test database is a file beside this one (not SQLite's in-memory default), so the
        # worker processes that end-to-end tests start share it.
        _sqlite_path = Path(_sqlite_name)
        DATABASES["default"].setdefault("TEST", {}).setdefault(
            "NAME", str(_sqlite_path.with_name(f"test_{_sqlite_path.name}"))
        )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # A stock operation that cannot get its row locks quickly fails instead of piling up.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c lock_timeout={env.int('DB_LOCK_TIMEOUT_MS', default=10000)}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Brute force: login lockout (django-axes) ------------------------------------------------------
# The staff login is locked after AXES_FAILURE_LIMIT failures in a row, separately per username
# (from anywhere) and per client address (whatever the username), for AXES_COOLOFF_MINUTES.
# Attempts are kept in the database (shared by every web process); `manage.py axes_reset` unlocks.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "inventory_app.api.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "inventory_app.admin.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "client_secret", "credentials"]
# Proxies in front of the web processes that append to X-Forwarded-For (0: the peer is the client).
# Lockout and throttles count per client address; behind a proxy set this, or they count the proxy.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
with contextlib.suppress(OSError):  # filled by collectstatic; WhiteNoise warns if it is missing
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files from collectstatic in production; plain files in development
        # and tests (which must not depend on collectstatic having run).
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# --- Security (production values unless DEBUG) ----------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Error pages and mailed reports mask secrets (frame variables too), with DEBUG on as well.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.reporting.SecretsExceptionReporterFilter"
X_FRAME_OPTIONS = "DENY"

# --- Audit history (django-auditlog) --------------------------------------------------------------
# Every staff change to the catalog, rules, accounts and mappings: who (the logged-in user or the
# API token's user; none for the system), when, and each changed field before and after, in one
# table browsable in the admin (Audit log). Secrets are stored masked ("********"), never in clear.
# Changes made with QuerySet.update() are recorded by their services (inventory_app.services.audit).
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_MASK_CALLABLE = "config.audit.audit_mask"
_AUDIT_NOT = ["created_at", "updated_at"]
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "inventory_app.Product", "exclude_fields": _AUDIT_NOT},
    {"model": "inventory_app.SKU", "exclude_fields": _AUDIT_NOT},
    {"model": "inventory_app.KitComponent"},
    {"model": "inventory_app.Location", "exclude_fields": _AUDIT_NOT},
    {"model": "inventory_app.SalesChannel", "exclude_fields": _AUDIT_NOT},
    {"model": "inventory_app.Supplier", "exclude_fields": _AUDIT_NOT},
    {"model": "inventory_app.SupplierItem", "exclude_fields": _AUDIT_NOT},
    {"model": "inventory_app.ReorderRule", "exclude_fields": _AUDIT_NOT},
    {"model": "inventory_app.CostingSettings", "exclude_fields": _AUDIT_NOT},
    {"model": "inventory_app.ApiToken", "exclude_fields": ["last_used_at"], "mask_fields": ["key_hash"]},
    {
        "model": "channels_app.ChannelAccount",
        "include_fields": [
            "kind",
            "name",
            "base_url",
            "options",
            "enabled",
            "dry_run",
            "buffer",
            "percentage",
            "max_published",
            "min_published",
            "poll_interval_seconds",
            "credentials_encrypted",
            "webhook_token",
            "locations",
        ],
        "mask_fields": ["credentials_encrypted", "webhook_token"],
        "m2m_fields": ["locations"],
    },
    {
        "model": "channels_app.Listing",  # the SKU link and rules (recorded by their services)
        "include_fields": ["sku", "push_enabled", "buffer", "percentage", "max_published", "min_published"],
    },
    {
        "model": "shipping_app.ShippingAccount",
        "include_fields": [
            "provider",
            "name",
            "base_url",
            "options",
            "enabled",
            "export_orders",
            "credentials_encrypted",
            "webhook_token",
            "sales_channels",
        ],
        "mask_fields": ["credentials_encrypted", "webhook_token"],
        "m2m_fields": ["sales_channels"],
    },
    {
        "model": "accounting_app.AccountingConnection",
        "exclude_fields": [
            "status",
            "access_expires_at",
            "oauth_state_hash",
            "oauth_state_expires_at",
            "exported_through",
            "last_error",
            *_AUDIT_NOT,
        ],
        "mask_fields": ["secrets_encrypted"],
    },
    {"model": "accounting_app.AccountMapping"},
    {"model": "accounting_app.TaxMapping"},
)

# --- Credentials at rest ----------------------------------------------------------------------
# Fernet keys (comma-separated; the first encrypts, all decrypt, for key rotation). Derived from
# SECRET_KEY when unset so the embedded set-up works out of the box.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "inventory_app.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["inventory_app.api.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "inventory_app.api.strict.StrictQueryParamsFilter",  # an unknown parameter is a 400
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "inventory_app.api.strict.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "inventory_app.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "inventory_app.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "inventory_app.api.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "config.safejson.BoundedJSONParser",  # nesting bounded: 50,000 "[" is a 400, not a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Per token, per client address, and failed token authentications per address (429 with
    # Retry-After), counted in the "throttle" cache shared by every process. Rates as
    # "<n>/<second|minute|hour|day>", empty: that throttle off (the benchmarks switch them off).
    "DEFAULT_THROTTLE_CLASSES": [
        "inventory_app.api.throttling.TokenRateThrottle",
        "inventory_app.api.throttling.AddressRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_THROTTLE_TOKEN", default="1200/minute") or None,
        "address": env.str("API_THROTTLE_ADDRESS", default="1800/minute") or None,
        "auth_failure": env.str("API_THROTTLE_AUTH_FAILURES", default="20/minute") or None,
    },
    "NUM_PROXIES": NUM_PROXIES or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stock master API",
    "DESCRIPTION": "Catalog, locations, stock levels, the stock ledger, stock operations and orders.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from our own static files: the docs work on a machine without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: Swagger UI would fetch it from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",  # operationIds and default tags start at the resource
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Problem responses, response headers and examples on every operation.
        "inventory_app.api.schema_hooks.responses_document",
    ],
    # Choice sets sharing a field name ("reason") get stable names of their own.
    "ENUM_NAME_OVERRIDES": {
        "MovementReasonEnum": "inventory_app.models.stock.MovementReason",
        "AdjustmentReasonEnum": "inventory_app.services.stock.AdjustmentReason",
        "ReturnReasonEnum": "inventory_app.models.returns.ReturnReason",
        "OrderStatusEnum": "inventory_app.models.orders.OrderStatus",
        "PurchaseOrderStatusEnum": "inventory_app.models.purchasing.PurchaseOrderStatus",
        "ReturnStatusEnum": "inventory_app.models.returns.ReturnStatus",
        "LandedCostKindEnum": "inventory_app.models.purchasing.LandedCostKind",
        "DocumentKindEnum": "accounting_app.models.exports.DocumentKind",
        "EventTypeEnum": "inventory_app.models.events.EventType",
        "DeliveryStatusEnum": "inventory_app.models.events.DeliveryStatus",
    },
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    var_dir_private(VAR_DIR)
    _broker_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Fanout/broadcast exchange tables (remote control, pidbox); kombu's default is ./control.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# At-least-once: a task is acknowledged only after it ran, and requeued if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# With late acks a task running when the broker connection drops is redelivered anyway: stop it
# instead of letting two copies run.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Celery's consumer with a workaround for kombu 5.7's Redis transport, which made a worker exit
# ('NoneType' object has no attribute 'hostname') when Redis went away while late-ack tasks ran.
CELERY_WORKER_CONSUMER = "config.celery:BrokerLossSafeConsumer"

# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Webhook URLs hold a secret token: masked in every line (config.logmasking).
    "filters": {"webhook_tokens": {"()": "config.logmasking.WebhookTokenLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["webhook_tokens"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- channels_app: the sync engine ------------------------------------------------------------
# Connector modules imported at start-up (each registers its kind with @connector_register).
CHANNELS_CONNECTOR_MODULES = env.list(
    "CHANNELS_CONNECTOR_MODULES",
    default=[
        "channels_app.connectors.generic.connector",
        "channels_app.connectors.amazon.connector",
        "channels_app.connectors.shopify.connector",
        "channels_app.connectors.bigcommerce.connector",
        "channels_app.connectors.magento.connector",
        "channels_app.connectors.woocommerce.connector",
        "channels_app.connectors.volusion.connector",
        "channels_app.connectors.ebay.connector",
        "channels_app.connectors.etsy.connector",
        "channels_app.connectors.rakuten.connector",
    ],
)
# eBay's marketplace account deletion endpoint (/webhooks/channels/ebay/account-deletion/): the
# verification token entered with it in eBay's developer portal (32-80 of [A-Za-z0-9_-]) and the
# URL exactly as entered there (empty: the URL the request came to).
EBAY_DELETION_VERIFICATION_TOKEN = env.str("EBAY_DELETION_VERIFICATION_TOKEN", default="")
EBAY_DELETION_ENDPOINT = env.str("EBAY_DELETION_ENDPOINT", default="")
# Outbound channel HTTP: private/loopback hosts are refused unless this is set (tests, bench).
CHANNELS_ALLOW_PRIVATE_HOSTS = env.bool("CHANNELS_ALLOW_PRIVATE_HOSTS", default=False)
# Sandbox of `make run DEMO=1`: fake Shopify and Amazon stores on loopback, the /demo/ buyer page
# (channels_app.demo). Only then may channel HTTP reach loopback without CHANNELS_ALLOW_PRIVATE_HOSTS.
DEMO = env.bool("DEMO", default=False)
if DEMO:
    CHANNELS_ALLOW_PRIVATE_HOSTS = True
CHANNELS_HTTP_CONNECT_TIMEOUT = env.float("CHANNELS_HTTP_CONNECT_TIMEOUT", default=5.0)
CHANNELS_HTTP_READ_TIMEOUT = env.float("CHANNELS_HTTP_READ_TIMEOUT", default=20.0)
# Pull notifications (Amazon ORDER_CHANGE on SQS): one long poll waits this long (at most 20 s),
# and one consumer task pulls for about RUN_SECONDS before it enqueues itself again.
CHANNELS_NOTIFICATIONS_WAIT_SECONDS = env.float("CHANNELS_NOTIFICATIONS_WAIT_SECONDS", default=20.0)
CHANNELS_NOTIFICATIONS_RUN_SECONDS = env.float("CHANNELS_NOTIFICATIONS_RUN_SECONDS", default=50.0)
# Shared per-account rate limiter: "redis" (REDIS_URL, else a redis:// broker), "db", or "auto".
CHANNELS_RATE_LIMIT_BACKEND = env.str("CHANNELS_RATE_LIMIT_BACKEND", default="auto")
CHANNELS_REDIS_URL = env.str("REDIS_URL", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
# Django's cache, shared by every process (web, worker, beat): the dashboard snapshot the beat
# task computes, what connectors fetched (Amazon order items), Etsy's call budget. Redis when
# there is one, else files in VAR_DIR/cache (`make run`). Its users only get and set whole
# values, which both keep consistent across processes.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CHANNELS_REDIS_URL,
            "KEY_PREFIX": f"stockmaster:{DATABASES['default'].get('NAME', '')}",
            "TIMEOUT": 3600,
        }
        if CHANNELS_REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    ),
    # API throttles: shared by every web process. Redis when there is one, else a database table
    # (`manage.py createcachetable`, run by `make run`; the test database gets it too).
    "throttle": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CHANNELS_REDIS_URL,
            "KEY_PREFIX": f"stockmaster-throttle:{DATABASES['default'].get('NAME', '')}",
        }
        if CHANNELS_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "stockmaster_cache"}
    ),
}
if not CHANNELS_REDIS_URL:
    var_dir_private(VAR_DIR)
    (VAR_DIR / "cache").mkdir(mode=0o700, exist_ok=True)
# --- E-mail (Django's mail settings) and alerts -------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="stockmaster@localhost")
ALERTS_EMAILS = env.list("ALERTS_EMAILS", default=[])
ALERTS_DIGEST = env.bool("ALERTS_DIGEST", default=False)
ALERTS_PERSIST_MINUTES = env.int("ALERTS_PERSIST_MINUTES", default=15)
# Credentials (OAuth grants) that expire within this many days are alerted (and an event).
ALERTS_CREDENTIALS_DAYS = env.int("ALERTS_CREDENTIALS_DAYS", default=7)
# Events for integrators (GET /api/v1/events/) and outbound webhooks (inventory_app.services.events).
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=30)
WEBHOOKS_RETRY_HOURS = env.float("WEBHOOKS_RETRY_HOURS", default=24.0)
WEBHOOKS_SECRET_OVERLAP_HOURS = env.float("WEBHOOKS_SECRET_OVERLAP_HOURS", default=24.0)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
WEBHOOKS_SWEEP_SECONDS = env.float("WEBHOOKS_SWEEP_SECONDS", default=10.0)
# Tests and benchmarks only: let webhook deliveries reach loopback over plain http.
WEBHOOKS_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOKS_ALLOW_PRIVATE_HOSTS", default=False)
# The admin dashboard's stock figures and charts (whole-catalog and month-of-ledger aggregates)
# are recomputed at most this often; orders, attention and channel health are always live.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# Push: claim lease (a dead worker's listings are taken over after it), backoff bounds, retries.
CHANNELS_PUSH_LEASE_SECONDS = env.float("CHANNELS_PUSH_LEASE_SECONDS", default=60.0)
# Push tasks wait this long after the first change so a burst of changes goes out in one batch.
CHANNELS_PUSH_DEBOUNCE_SECONDS = env.float("CHANNELS_PUSH_DEBOUNCE_SECONDS", default=0.1)
CHANNELS_PUSH_BACKOFF_BASE = env.float("CHANNELS_PUSH_BACKOFF_BASE", default=1.0)
CHANNELS_PUSH_BACKOFF_MAX = env.float("CHANNELS_PUSH_BACKOFF_MAX", default=300.0)
CHANNELS_TASK_MAX_RETRIES = env.int("CHANNELS_TASK_MAX_RETRIES", default=8)
# Resurrection guard for channels without compare-and-set or delta: hold increases until the
# channel's orders are taken in past the change. Only tests switch it off (to show the race).
CHANNELS_HOLD_INCREASES = env.bool("CHANNELS_HOLD_INCREASES", default=True)
# Periodic jobs; per-account polls and reconciliations are django_celery_beat rows made by
# channels_app.services.schedule.account_schedule_ensure.
# Stalled-work rescue: how often beat looks for accounts whose queued drain or push was lost
# with a dead worker or a restarted broker, and how long work must wait to count as stalled.
CHANNELS_RESCUE_SECONDS = env.float("CHANNELS_RESCUE_SECONDS", default=5.0)
CHANNELS_RESCUE_AFTER_SECONDS = env.float("CHANNELS_RESCUE_AFTER_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE = {
    "alerts-notify": {"task": "inventory_app.tasks.alerts_notify_task", "schedule": 300.0},
    # The dashboard's catalog-wide figures, recomputed before its cached snapshot (kept twice as
    # long) expires.
    "dashboard-refresh": {
        "task": "inventory_app.tasks.dashboard_refresh_task",
        "schedule": float(max(DASHBOARD_CACHE_SECONDS, 5)),
        "options": {"expires": float(max(DASHBOARD_CACHE_SECONDS, 5))},
    },
    "alerts-digest": {
        "task": "inventory_app.tasks.alerts_digest_task",
        "schedule": crontab(hour=env.int("ALERTS_DIGEST_HOUR", default=7), minute=0),
    },
    "events-sweep": {
        "task": "inventory_app.tasks.events_sweep_task",
        "schedule": WEBHOOKS_SWEEP_SECONDS,
        "options": {"expires": WEBHOOKS_SWEEP_SECONDS},
    },
    "channels-outbox-sweep": {"task": "channels_app.tasks.outbox_sweep_task", "schedule": 60.0},
    "channels-order-pushes-sweep": {
        "task": "channels_app.tasks.channel_order_pushes_sweep_task",
        "schedule": 60.0,
    },
    # Rakuten France: take in, accept or refuse its new sales (kept two days) every few minutes.
    "rakuten-sales-answer": {
        "task": "channels_app.connectors.rakuten.tasks.rakuten_sales_answer_all_task",
        "schedule": env.float("RAKUTEN_SALES_SECONDS", default=120.0),
    },
    "channels-stalled-rescue": {
        "task": "channels_app.tasks.stalled_work_rescue_task",
        "schedule": CHANNELS_RESCUE_SECONDS,
        "options": {"expires": CHANNELS_RESCUE_SECONDS},
    },
}
# urllib3 logs whole URLs, query strings included, at DEBUG: keep channel secrets out of logs.
LOGGING["loggers"]["urllib3"] = {"level": "WARNING"}

# Pacing margin of the shared rate limiter: requests are paced at a channel's published rate
# divided by (1 + margin).
CHANNELS_RATE_LIMIT_MARGIN = env.float("CHANNELS_RATE_LIMIT_MARGIN", default=0.1)
# Longest wait (seconds) of the per-operation throttle for a free slot before the call is left to
# a task retry.
CHANNELS_THROTTLE_MAX_WAIT = env.float("CHANNELS_THROTTLE_MAX_WAIT", default=30.0)

# --- shipping_app -----------------------------------------------------------------------------
# Provider modules imported at start-up (each registers its kind with @provider_register).
SHIPPING_PROVIDER_MODULES = env.list(
    "SHIPPING_PROVIDER_MODULES",
    default=[
        "shipping_app.providers.shipstation.provider",
        "shipping_app.providers.shippo.provider",
        "shipping_app.providers.shippingeasy.provider",
    ],
)
# Plain HTTP to a loopback vendor URL (tests only); otherwise https to public hosts only.
SHIPPING_ALLOW_PRIVATE_HOSTS = env.bool("SHIPPING_ALLOW_PRIVATE_HOSTS", default=False)
SHIPPING_HTTP_CONNECT_TIMEOUT = env.float("SHIPPING_HTTP_CONNECT_TIMEOUT", default=5.0)
SHIPPING_HTTP_READ_TIMEOUT = env.float("SHIPPING_HTTP_READ_TIMEOUT", default=30.0)
# Retries of a failed request (429, 5xx, network) in the request, each waiting at most
# MAX_INLINE_WAIT seconds; longer waits and further failures are left to a task retry.
SHIPPING_HTTP_RETRIES = env.int("SHIPPING_HTTP_RETRIES", default=3)
SHIPPING_HTTP_MAX_INLINE_WAIT = env.float("SHIPPING_HTTP_MAX_INLINE_WAIT", default=10.0)
SHIPPING_TASK_MAX_RETRIES = env.int("SHIPPING_TASK_MAX_RETRIES", default=8)

# --- inventory_app: catalog CSV imports -------------------------------------------------------
# Largest file and most data rows accepted; files up to INLINE_MAX_ROWS rows import in the
# request, larger ones become an import job run by a worker.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_INLINE_MAX_ROWS = env.int("IMPORT_INLINE_MAX_ROWS", default=500)

# --- accounting_app ---------------------------------------------------------------------------
# Exporter modules imported at start-up (each registers its kind with @exporter_register).
ACCOUNTING_EXPORTER_MODULES = env.list(
    "ACCOUNTING_EXPORTER_MODULES",
    default=[
        "accounting_app.exporters.xero.exporter",
        "accounting_app.exporters.quickbooks.exporter",
    ],
)
# Accounting endpoints on loopback (the fake vendors in tests only); otherwise only the vendor's
# own endpoints are called.
ACCOUNTING_ALLOW_PRIVATE_HOSTS = env.bool("ACCOUNTING_ALLOW_PRIVATE_HOSTS", default=False)
# OAuth scopes asked of Xero.
ACCOUNTING_XERO_SCOPE = env.str(
    "ACCOUNTING_XERO_SCOPE",
    default="openid offline_access accounting.transactions accounting.contacts accounting.settings.read",
)
# OAuth redirect URI registered with the vendor; empty: the admin's callback URL on the current host.
ACCOUNTING_OAUTH_REDIRECT_URI = env.str("ACCOUNTING_OAUTH_REDIRECT_URI", default="")
ACCOUNTING_TASK_MAX_RETRIES = env.int("ACCOUNTING_TASK_MAX_RETRIES", default=6)
