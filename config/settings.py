"""Okno settings: every value comes from the environment (see ``.env.example``).

One file for every way of running: switching SQLite → PostgreSQL, one machine → many,
is configuration, never a code path of its own.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from okno.lib.env import EnvError, env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# Under pytest, and in servers a test starts (they inherit OKNO_TESTING=1).
TESTING = "pytest" in sys.modules or env_bool("OKNO_TESTING", False)

try:
    DEBUG = env_bool("OKNO_DEBUG", False)
    DATA_DIR = Path(env_str("OKNO_DATA_DIR", str(BASE_DIR / "var"))).resolve()
    DATA_DIR.mkdir(parents=True, exist_ok=True)

    # --- secrets -----------------------------------------------------------------
    SECRET_KEY = env_secret("SECRET_KEY")
    if not SECRET_KEY:
        # A fresh install gets a key of its own, kept next to the data, so sessions
        # survive a restart without anyone having to invent a key.
        key_file = DATA_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key_file.chmod(0o600)
        SECRET_KEY = key_file.read_text(encoding="utf-8").strip()

    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

    # --- database ----------------------------------------------------------------
    DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'okno.sqlite3'}")
    _db = dj_database_url.parse(DATABASE_URL)
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        _db["ENGINE"] = "okno.core.db.sqlite3"  # Django's, with a fair in-process write lock
        _db["OPTIONS"] = {
            # Every write transaction takes the lock at BEGIN: no "database is locked"
            # when two requests read and then both try to write.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=20000; PRAGMA temp_store=MEMORY; "
                "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
            ),
        }
        _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
        # Request threads live as long as the process (okno.core.asgi), so their
        # connections can too: no PRAGMAs and no WAL checkpoint per request.
        _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0)
        _db["CONN_HEALTH_CHECKS"] = True
    elif _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})
        if env_bool("DATABASE_POOL", True):
            _db["OPTIONS"]["pool"] = {
                "min_size": 1,
                "max_size": env_int("DATABASE_POOL_MAX", 20, minimum=2),
                "timeout": 20,
            }
            _db["CONN_MAX_AGE"] = 0
    else:
        raise ImproperlyConfigured("DATABASE_URL must be sqlite:/// or postgres://")
    DATABASES = {"default": _db}

    # --- i18n / time ---------------------------------------------------------------
    LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ru")
    TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")

    # --- files ---------------------------------------------------------------------
    PRIVATE_MEDIA_ROOT = Path(env_str("OKNO_FILES_DIR", str(DATA_DIR / "files"))).resolve()
    ATTACHMENT_MAX_BYTES = env_int("OKNO_ATTACHMENT_MAX_MB", 25, minimum=1) * 1024 * 1024
    ATTACHMENT_MAX_COUNT = env_int("OKNO_ATTACHMENT_MAX_COUNT", 20, minimum=1)

    # --- TLS -----------------------------------------------------------------------
    HTTPS = env_bool("OKNO_HTTPS", False)
    TRUST_PROXY = env_bool("OKNO_TRUST_PROXY", False)

    # --- live updates --------------------------------------------------------------
    LIVE_BACKEND = env_str("OKNO_LIVE_BACKEND", "")
    LIVE_POLL_SECONDS = env_int("OKNO_LIVE_POLL_MS", 250, minimum=20) / 1000

    # --- background work (django.tasks run by huey, okno.background) ------------------
    # Inline: a task runs in the process that enqueued it, right after the commit
    # (tests, and servers tests start). Otherwise a worker runs it: huey on SQLite in
    # the data dir, or on Redis when REDIS_URL is set (many machines).
    TASKS_INLINE = env_bool("OKNO_TASKS_INLINE", TESTING)
    REDIS_URL = env_str("REDIS_URL", "")
    TASKS_FILE = Path(env_str("OKNO_TASKS_FILE", str(DATA_DIR / "tasks.sqlite3"))).resolve()
    TASK_RECORDS_DAYS = env_int("OKNO_TASK_RECORDS_DAYS", 14, minimum=1)
    TASKS = {
        "default": {
            "BACKEND": "okno.background.backend.HueyTaskBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"inline": TASKS_INLINE, "redis_url": REDIS_URL, "sqlite_path": str(TASKS_FILE)},
        }
    }

    # --- e-mail (notifications) -------------------------------------------------------
    # Links in e-mails point here.
    SITE_URL = env_str("OKNO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    # How the organisation signs its mail to clients (acknowledgements, replies).
    ORGANISATION_NAME = env_str("OKNO_ORGANISATION_NAME", "")
    # Django's mailers. With the SMTP backend and no EMAIL_HOST, e-mail is off: the
    # notification mailer marks e-mails "not sent" instead of trying for ever.
    _email_backend = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    _email_options: dict[str, object] = {}
    if _email_backend == "django.core.mail.backends.smtp.EmailBackend":
        _email_options = {
            "host": env_str("EMAIL_HOST", ""),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_secret("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20, minimum=1),
        }
        if env_int("EMAIL_PORT", 0, minimum=0):
            _email_options["port"] = env_int("EMAIL_PORT", 0)
        if _email_options["use_tls"] and _email_options["use_ssl"]:
            raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
    MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
    DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "Okno <okno@localhost>")
    SERVER_EMAIL = DEFAULT_FROM_EMAIL
    # Read notifications older than this are deleted nightly (unread ones stay).
    NOTIFICATIONS_KEEP_DAYS = env_int("OKNO_NOTIFICATIONS_KEEP_DAYS", 90, minimum=1)
    # The weekly classifier retraining waits for this many newly closed appeals.
    CLASSIFIER_MIN_EXAMPLES = env_int("OKNO_CLASSIFIER_MIN_EXAMPLES", 200, minimum=1)

    LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
    SERVER_HOST = env_str("OKNO_HOST", "127.0.0.1")
    SERVER_PORT = env_int("OKNO_PORT", 8000, minimum=1)
    # One web process per core (at most 4), each running requests' synchronous code
    # on 2 long-lived threads (okno.core.asgi): measured best for SQLite on 2 cores,
    # see bench/README.md.
    SERVER_WORKERS = env_int("OKNO_WEB_WORKERS", min(4, os.cpu_count() or 1), minimum=1)
    SERVER_THREADS = env_int("OKNO_WEB_THREADS", 2, minimum=1)
except EnvError as exc:
    raise ImproperlyConfigured(str(exc)) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "axes",
    "django_htmx",
    "okno.core",
    "okno.accounts",
    "okno.queues",
    "okno.clients",
    "okno.catalog",
    "okno.appeals",
    "okno.live",
    "okno.background",
    "okno.notifications",
    "okno.deadlines",
    "okno.channels.mail",
    "okno.channels.post",
    "okno.routing",
    "okno.routing.agents",
    "okno.routing.classifier",
    "okno.reports",
    "okno.reports.regulator",
]

MIDDLEWARE = [
    "okno.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "okno.core.middleware.StaticFilesMiddleware",  # WhiteNoise, without file streams
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "okno.core.middleware.LanguageMiddleware",  # the person's choice, else Russian
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "okno.core.context_processors.okno",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
if TESTING:
    # Personas are created in every test; PBKDF2's million rounds would dominate.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "appeals:inbox"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five failures for one username from one address lock that pair
# for 15 minutes. Attempts are kept in the database, not in logs.
AXES_FAILURE_LIMIT = env_int("OKNO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = 1 if TRUST_PROXY else 0

LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "okno_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files are served only through the permission-checking view; MEDIA_URL
# stays unset so nothing can expose them as static.
MEDIA_ROOT = str(PRIVATE_MEDIA_ROOT)
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_MAX_AGE = 3600
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- security headers ------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("OKNO_SESSION_HOURS", 12, minimum=1) * 3600
CSRF_COOKIE_SAMESITE = "Lax"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("OKNO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("OKNO_SSL_REDIRECT", True)
if TRUST_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# --- logging: never personal data --------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "okno.core.logging.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Its own access log prints query strings (searches hold names); ours does not.
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        # Axes logs usernames on every failure; the attempts are in the database.
        "axes": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # A line per task start and end drowns the rest at INFO; failures still show.
        "django.tasks": {"level": "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"},
        "huey": {"level": "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"},
        # A line per bounce detector tried, for every mail.
        "flufl.bounce": {"level": "WARNING"},
        # A line per rendering step of every PDF, and per font subset.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "huey.consumer": {"level": LOG_LEVEL},  # start-up and shutdown
        "huey.consumer.Scheduler": {"level": "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"},
    },
}

NINJA_PAGINATION_MAX_LIMIT = 200
