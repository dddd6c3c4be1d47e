"""Settings shared by every environment.

Everything that differs between machines comes from the environment. With nothing set, the app runs on
SQLite with a Celery broker that needs no server (kombu's filesystem transport); `DATABASE_URL` and
`REDIS_URL` switch it to PostgreSQL and Redis.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KAWO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "core",
    "accounts",
    "channels_app",
    "content",
    "approvals",
    "analytics",
    "competitors",
    "budgets",
    "objectives",
    "inbox",
    "lifecycle",
    "dashboard",
    "platform_sim",
    "publishing",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.RequestContextMiddleware",
    "csp.middleware.CSPMiddleware",
]

# Content-Security-Policy on every response (django-csp). Our scripts are files under /static (no inline
# script, no inline event handler: tests/test_csp.py looks); styles may be inline (style attributes of
# server-rendered colours, libraries that position elements). Avatars and previews come from the
# platforms' CDNs, hence https: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", "https:"],
        "media-src": ["'self'", "blob:", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "kawo.urls"
WSGI_APPLICATION = "kawo.wsgi.application"
ASGI_APPLICATION = "kawo.asgi.application"

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
                "django.template.context_processors.i18n",
                "dashboard.context_processors.navigation",
                "publishing.context_processors.notifications",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: wait for locks instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "kawo"),
        }
    }
else:
    # A real cache shared by every process (login throttling must hold across web workers).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kawo_cache",
        }
    }

# --- Auth --------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[KAWO OSS] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# Tell people by email when their password, email addresses or two-factor settings change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    # Throttled per account, then per IP; allauth keeps the counters in the default cache. The account's
    # rate comes first: allauth stops at the first full rate, so attempts on a locked account do not use
    # up the IP's allowance, and one person's typos do not lock out an office behind one NAT address.
    "login_failed": "5/5m/key,20/5m/ip",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "KAWO OSS"
MFA_RECOVERY_CODE_COUNT = 10
# Behind a reverse proxy every request comes from the proxy's address, so the per-IP limits above would
# lock everyone out together; set this to the number of proxies that append to X-Forwarded-For (1 for a
# single nginx), the same hop core.middleware.client_ip trusts.
# Default 0: X-Forwarded-For is ignored (anyone can write it) and the client is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default
SESSION_COOKIE_SAMESITE = "Lax"

# --- i18n and time -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # stored in UTC; shown in the workspace's zone (core.middleware activates it)

# --- Static and media --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come from npm (package-lock.json), never committed.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/fullcalendar", BASE_DIR / "node_modules" / "@fullcalendar"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/cropperjs", BASE_DIR / "node_modules" / "cropperjs" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# --- Email -------------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "KAWO OSS <noreply@kawo-oss.local>")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- API ---------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.PersonalAccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.schema.KawoAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {"token": "600/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KAWO OSS API",
    "DESCRIPTION": "Social media management for brands and agencies. Every workspace-scoped path starts "
    "with /api/v1/workspaces/{workspace_id}/; objects of other workspaces answer 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page works offline and from mainland China: Swagger UI from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name per choice set that appears under several field names (role, role_ceiling ...).
    "ENUM_NAME_OVERRIDES": {
        "WorkspaceRoleEnum": "accounts.roles.Role",
        "OrganizationRoleEnum": "accounts.roles.OrgRole",
        "WebhookDeliveryStatusEnum": "publishing.models.WebhookDelivery.Status",
        "WorkspaceExportStatusEnum": "lifecycle.models.WorkspaceExport.Status",
        "PostStatusEnum": "content.models.TargetStatus",
        "FindingSeverityEnum": "content.models.BannedWord.Severity",
        "MediaKindEnum": "content.models.MediaAsset.Kind",
        "OrganizationKindEnum": "accounts.models.Organization.Kind",
        "NotificationKindEnum": "approvals.models.NOTIFICATION_KINDS",
        "SpendKindEnum": "budgets.models.SpendKind",
        "SpendStatusEnum": "budgets.models.SpendStatus",
        "BudgetCategoryEnum": "budgets.models.Category",
        "BudgetCapModeEnum": "budgets.models.CapMode",
        "ObjectiveScopeEnum": "objectives.models.Scope",
        "ApprovalPolicyScopeEnum": "approvals.models.ApprovalPolicyRule.Scope",
        "ExportKindEnum": "analytics.models.ExportKind",
        "InboxItemKindEnum": "inbox.models.ItemKind",
        "InboxPriorityEnum": "inbox.models.Priority",
        "ExportFormatEnum": "analytics.models.ExportFormat",
        "ScheduledReportFormatEnum": "analytics.models.ScheduledReport.Format",
        "AnalyticsMediaTypeEnum": "analytics.selectors.reports.MEDIA_TYPES",
    },
}

# --- Celery ------------------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # No server needed: messages are files under var/celery, shared by web, worker and beat.
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Days an export's file (analytics.ExportJob) and an import's uploaded file (content.ImportJob of a settled
# or abandoned job) are kept before the daily cleanup deletes them.
# A deleted workspace or organization can be restored by its owner for this long, then it is purged.
KAWO_DELETION_GRACE_DAYS = int(os.environ.get("KAWO_DELETION_GRACE_DAYS", "30"))
KAWO_EXPORT_FILE_RETENTION_DAYS = int(os.environ.get("KAWO_EXPORT_FILE_RETENTION_DAYS", "7"))
KAWO_IMPORT_FILE_RETENTION_DAYS = int(os.environ.get("KAWO_IMPORT_FILE_RETENTION_DAYS", "14"))
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "accounts.expire_invitations": {
        "task": "accounts.expire_invitations",
        "schedule": crontab(minute="*/15"),
    },
    "core.beat_heartbeat": {"task": "core.beat_heartbeat", "schedule": 60.0},
    # Deleted workspaces and organizations whose grace period ended: every row and file removed.
    "lifecycle.purge_due": {"task": "lifecycle.purge_due", "schedule": crontab(minute=41)},
    "channels.refresh_expiring_tokens": {
        "task": "channels.refresh_expiring_tokens",
        "schedule": crontab(minute="*/10"),
    },
    "channels.update_account_health": {
        "task": "channels.update_account_health",
        "schedule": crontab(minute=7),
    },
    "channels.purge_connect_states": {
        "task": "channels.purge_connect_states",
        "schedule": crontab(minute=17, hour=3),
    },
    "publishing.retry_webhook_deliveries": {
        "task": "publishing.retry_webhook_deliveries",
        "schedule": 15.0,
    },
    "approvals.sla_sweep": {"task": "approvals.sla_sweep", "schedule": crontab(minute="*/5")},
    # The metric snapshot table's monthly partitions, this month and the next three (PostgreSQL).
    "analytics.partitions_ensure": {
        "task": "analytics.partitions_ensure",
        "schedule": crontab(minute=23, hour=2),
    },
    # Metric pulls: plan what is due and queue it on the "metrics" queue (analytics/services/pulls.py).
    "analytics.plan_pulls": {
        "task": "analytics.plan_pulls",
        "schedule": float(os.environ.get("KAWO_METRICS_PLAN_SECONDS", "60")),
    },
    # Competitor pulls: queue every rival whose last read is older than its interval.
    "competitors.plan_pulls": {
        "task": "competitors.plan_pulls",
        "schedule": float(os.environ.get("KAWO_COMPETITORS_PLAN_SECONDS", "300")),
    },
    # Scheduled analytics reports: each report's last complete week or month, emailed once.
    "analytics.scheduled_reports_send": {
        "task": "analytics.scheduled_reports_send",
        "schedule": crontab(minute=7),
    },
    # Budgets: thresholds and run rate again each day (spend dated in the future counts from its day);
    # 01:17 UTC is the morning in Asia, each budget judged on its own workspace's day.
    "budgets.alerts_recheck": {
        "task": "budgets.alerts_recheck",
        "schedule": crontab(minute=17, hour=1),
    },
    # Scheduled competitor benchmarks: each schedule's last complete week or month, emailed once.
    "competitors.benchmark_schedules_send": {
        "task": "competitors.benchmark_schedules_send",
        "schedule": crontab(minute=17),
    },
    # Old files: export downloads and import uploads older than their retention are deleted (rows kept,
    # marked expired).
    "analytics.export_files_expire": {
        "task": "analytics.export_files_expire",
        "schedule": crontab(minute=41, hour=3),
    },
    "content.import_files_expire": {
        "task": "content.import_files_expire",
        "schedule": crontab(minute=47, hour=3),
    },
    # The inbox's poller: queue a read of every account whose platform does not push and that is due.
    "inbox.plan_polls": {
        "task": "inbox.plan_polls",
        "schedule": float(os.environ.get("KAWO_INBOX_PLAN_SECONDS", "30")),
    },
    # Replies to fans that are due again (after Retry-After or a backoff); stuck ones become unknown.
    "inbox.dispatch_replies": {"task": "inbox.dispatch_replies", "schedule": 5.0},
    # Pushed deliveries whose processing died are queued again.
    "inbox.sweep_deliveries": {"task": "inbox.sweep_deliveries", "schedule": 60.0},
    "inbox.sla_alerts": {"task": "inbox.sla_alerts", "schedule": 60.0},
    # The publish pipeline's dispatcher (claims due posts, sweeps leases, settles unknown outcomes).
    "publishing.dispatch": {
        "task": "publishing.dispatch",
        "schedule": float(os.environ.get("KAWO_PUBLISH_DISPATCH_SECONDS", "1")),
    },
}

# Metric pulls have a queue of their own: publishing workers consume only the default queue ("celery"),
# metrics workers only "metrics" (Procfile.dev, docker-compose.yml), so a publish never waits behind a pull.
CELERY_TASK_DEFAULT_QUEUE = "celery"
METRICS_QUEUE = "metrics"
# The planner (analytics.plan_pulls) stays on the default queue, like the publish dispatcher: a short
# database pass that must keep time even while the metrics queue holds thousands of pulls.
# Publishing has a queue and workers of its own (Procfile.dev's "publish", docker-compose's
# publish-worker): exports, webhooks, notices and every other default-queue task can never delay a due post.
PUBLISH_QUEUE = "publish"
CELERY_TASK_ROUTES = {
    "publishing.dispatch": {"queue": PUBLISH_QUEUE},
    "publishing.publish_batch": {"queue": PUBLISH_QUEUE},
    "publishing.publish_target": {"queue": PUBLISH_QUEUE},
    "publishing.poll_target": {"queue": PUBLISH_QUEUE},
    "publishing.settle_target": {"queue": PUBLISH_QUEUE},
    # Competitor pulls share the metrics queue at the lowest priority (competitors/README.md).
    "competitors.pull_rival": {"queue": METRICS_QUEUE, "priority": 9},
    "analytics.pull_account": {"queue": METRICS_QUEUE},
    "analytics.pull_posts": {"queue": METRICS_QUEUE},
    "inbox.poll_account": {"queue": METRICS_QUEUE},
}
# Pushed deliveries (WeChat message server, Meta webhooks): the freshness window for WeChat's timestamp,
# the largest body accepted, and the token Meta's subscription check must present.
KAWO_INBOX_PUSH_WINDOW_SECONDS = float(os.environ.get("KAWO_INBOX_PUSH_WINDOW_SECONDS", "300"))
KAWO_INBOX_PUSH_MAX_BYTES = int(os.environ.get("KAWO_INBOX_PUSH_MAX_BYTES", str(256 * 1024)))
KAWO_META_VERIFY_TOKEN = os.environ.get("KAWO_META_VERIFY_TOKEN", "kawo-meta-verify")
# How often each polled account's inbox is read (seconds).
KAWO_INBOX_POLL_SECONDS = float(os.environ.get("KAWO_INBOX_POLL_SECONDS", "120"))

# --- Metric pulls (analytics/pull_schedule.py has the schedules and their per-platform defaults) --------
# Divides the post schedule's clock (ages and intervals): 3600 makes "day one" last 24 s. Tests and demos.
KAWO_METRICS_TIME_SCALE = float(os.environ.get("KAWO_METRICS_TIME_SCALE", "1"))
# (up to age, every) in seconds, youngest first; per platform: {"wechat_oa": ((30 * 86400, 86400),)}.
KAWO_METRICS_POST_SCHEDULE = (
    (86400.0, 1800.0),
    (7 * 86400.0, 6 * 3600.0),
    (30 * 86400.0, 86400.0),
    (90 * 86400.0, 7 * 86400.0),
)
KAWO_METRICS_POST_SCHEDULE_BY_PLATFORM: dict = {}
# Daily account reads: {"default" or platform: {"zone", "delay_hours", "lookback_days", "backfill_days",
# "chunk_days"}} over the defaults in analytics/pull_schedule.py.
KAWO_METRICS_ACCOUNT_READ: dict = {}
KAWO_METRICS_POSTS_PER_TASK = int(os.environ.get("KAWO_METRICS_POSTS_PER_TASK", "50"))
KAWO_METRICS_LEASE_SECONDS = float(os.environ.get("KAWO_METRICS_LEASE_SECONDS", "900"))
KAWO_METRICS_MAX_ATTEMPTS = int(os.environ.get("KAWO_METRICS_MAX_ATTEMPTS", "5"))

# --- Competitor monitoring (competitors/README.md) --------------------------------------------------
# Competitor brands a workspace may benchmark at once (the commercial tools' plan limit).
KAWO_COMPETITORS_PER_WORKSPACE = int(os.environ.get("KAWO_COMPETITORS_PER_WORKSPACE", "10"))
# X bills every read: at most this many rival reads a month across the installation (the pull budget).
KAWO_COMPETITORS_X_READS_PER_MONTH = int(os.environ.get("KAWO_COMPETITORS_X_READS_PER_MONTH", "10000"))
# X's app-only bearer token (the simulator takes any non-empty one).
KAWO_COMPETITORS_X_BEARER_TOKEN = os.environ.get("KAWO_COMPETITORS_X_BEARER_TOKEN", "sim-app-only-bearer")
# YouTube Data API key of our Google project (public reads; the simulator takes any non-empty one).
KAWO_COMPETITORS_YOUTUBE_API_KEY = os.environ.get("KAWO_COMPETITORS_YOUTUBE_API_KEY", "sim-api-key")
# Instagram Business Discovery reads through one of OUR business accounts: its IG user id and token.
KAWO_COMPETITORS_INSTAGRAM_USER_ID = os.environ.get("KAWO_COMPETITORS_INSTAGRAM_USER_ID", "")
KAWO_COMPETITORS_INSTAGRAM_TOKEN = os.environ.get("KAWO_COMPETITORS_INSTAGRAM_TOKEN", "")
# The licensed data provider for WeChat OA, Douyin, Kuaishou, Xiaohongshu, Channels, Weibo and Bilibili: the
# customer's contract URL and key ("" URL: the simulator's provider).
KAWO_COMPETITORS_PROVIDER_URL = os.environ.get("KAWO_COMPETITORS_PROVIDER_URL", "")
KAWO_COMPETITORS_PROVIDER_KEY = os.environ.get("KAWO_COMPETITORS_PROVIDER_KEY", "sim-provider-key")
# Each rival post is re-read for this many days after publishing (KAWO: WeChat 3, Weibo 10, short video 7).
KAWO_COMPETITORS_TRACK_DAYS = {
    "default": 7,
    "wechat_oa": 3,
    "weibo": 10,
    "douyin": 7,
    "kuaishou": 7,
    "wechat_channels": 7,
    "xiaohongshu": 7,
}
# How far back the first read of a new rival goes, and how often a rival is read.
KAWO_COMPETITORS_HISTORY_DAYS = int(os.environ.get("KAWO_COMPETITORS_HISTORY_DAYS", "90"))
KAWO_COMPETITORS_PULL_INTERVAL_SECONDS = float(
    os.environ.get("KAWO_COMPETITORS_PULL_INTERVAL_SECONDS", "21600")
)
# Pages of posts one pull reads at most (the rest continues at the next pull from the saved cursor).
KAWO_COMPETITORS_PAGES_PER_PULL = int(os.environ.get("KAWO_COMPETITORS_PAGES_PER_PULL", "10"))

# --- Publish pipeline (publishing/pipeline/); environment overrides for tests and benchmarks -----
KAWO_PUBLISH_LEASE_SECONDS = float(os.environ.get("KAWO_PUBLISH_LEASE_SECONDS", "120"))
KAWO_PUBLISH_BATCH = int(os.environ.get("KAWO_PUBLISH_BATCH", "500"))
# Targets holding a live lease at once; keep it well under what the workers finish within one lease.
KAWO_PUBLISH_MAX_IN_FLIGHT = int(os.environ.get("KAWO_PUBLISH_MAX_IN_FLIGHT", "1000"))
# Targets per publish task, and the threads per worker process that send them (one account's targets
# one after another, different accounts at once): publishing.pipeline.batch.
KAWO_PUBLISH_TASK_BATCH = int(os.environ.get("KAWO_PUBLISH_TASK_BATCH", "64"))
KAWO_PUBLISH_SEND_THREADS = int(os.environ.get("KAWO_PUBLISH_SEND_THREADS", "16"))
KAWO_PUBLISH_MAX_ATTEMPTS = int(os.environ.get("KAWO_PUBLISH_MAX_ATTEMPTS", "5"))
KAWO_PUBLISH_BACKOFF_BASE = float(os.environ.get("KAWO_PUBLISH_BACKOFF_BASE", "10"))
KAWO_PUBLISH_BACKOFF_CAP = float(os.environ.get("KAWO_PUBLISH_BACKOFF_CAP", "600"))
KAWO_PUBLISH_SETTLE_SECONDS = float(os.environ.get("KAWO_PUBLISH_SETTLE_SECONDS", "5"))
KAWO_PUBLISH_MISSED_GRACE_MINUTES = int(os.environ.get("KAWO_PUBLISH_MISSED_GRACE_MINUTES", "60"))
KAWO_PUBLISH_ASSISTED_OVERDUE_MINUTES = int(os.environ.get("KAWO_PUBLISH_ASSISTED_OVERDUE_MINUTES", "240"))

# --- Logging: nothing sensitive (tokens, passwords) is ever logged -----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "core.logging.RedactSecretsFilter"},
        "expected_refusals": {"()": "core.logging.ExpectedRefusalFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A refused request (403) or a missing page (404) is logged as one line, without a traceback.
        "django.request": {"filters": ["expected_refusals"]},
        # httpx logs every request URL at INFO; some platforms (WeChat, Kuaishou) put tokens in the URL.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

KAWO = {
    "INVITATION_TTL_DAYS": 7,
    "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:8000"),
}

# Outgoing webhooks refuse private and loopback addresses (SSRF) unless this is on, or DEBUG is: for
# on-premises receivers inside the company network, and for tests with a local receiver.
KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES")

# --- Platforms ---------------------------------------------------------------------------------------
# Connectors read their base URLs and app credentials from here. Nothing is reachable from our machines
# except `platform_sim`, so by default every platform points at the simulator (PLATFORM_SIM_URL); a real
# deployment sets PLATFORM_<KEY>_BASE_URL / _AUTH_URL / _CLIENT_ID / _CLIENT_SECRET per platform.
PLATFORM_SIM_URL = os.environ.get("PLATFORM_SIM_URL", "http://127.0.0.1:8100").rstrip("/")
PLATFORM_KEYS = [
    "wechat_oa",
    "weibo",
    "douyin",
    "bilibili",
    "kuaishou",
    "xiaohongshu",
    "wechat_channels",
    "x",
    "facebook",
    "instagram",
    "linkedin",
    "tiktok",
    "youtube",
    "mastodon",
    "bluesky",
]


def _platform_settings(key: str) -> dict[str, str]:
    prefix = f"PLATFORM_{key.upper()}_"
    base = os.environ.get(prefix + "BASE_URL", f"{PLATFORM_SIM_URL}/{key}")
    return {
        "base_url": base,
        "auth_url": os.environ.get(prefix + "AUTH_URL", base),
        "client_id": os.environ.get(prefix + "CLIENT_ID", f"sim-{key}-client"),
        "client_secret": os.environ.get(prefix + "CLIENT_SECRET", f"sim-{key}-secret"),
    }


PLATFORMS = {key: _platform_settings(key) for key in PLATFORM_KEYS}
PLATFORM_HTTP_TIMEOUT = float(os.environ.get("PLATFORM_HTTP_TIMEOUT", "10"))

# Fernet keys for credentials at rest, newest first, comma-separated (channels_app.vault). Rotation:
# put a new key first, run `manage.py rotate_credentials_key`, then drop the old key.
KAWO_FERNET_KEYS = env_list("KAWO_FERNET_KEYS")
