"""Django settings, read from environment variables (documented in README).

Development (``make run``) uses an embedded SQLite database under ``var/``;
production sets ``KANTOR_DATABASE_URL`` to PostgreSQL and ``KANTOR_DEBUG`` off
(the default). Secure-by-default: DEBUG off, secure cookies and HSTS unless
``KANTOR_DEBUG=1`` says this is a developer's machine.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KANTOR_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """KANTOR_SECRET_KEY, else a key generated once into var/secret_key."""
    if key := os.environ.get("KANTOR_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("KANTOR_DEBUG", False)
ALLOWED_HOSTS = _env_list("KANTOR_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = _env_list("KANTOR_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "kantor.core",
    "kantor.ledger",
    "kantor.customers",
    "kantor.rates",
    "kantor.banking",
    "kantor.exchange",
    "kantor.market",
    "kantor.notifications",
    "kantor.documents",
    "kantor.api",
    "kantor.ops",
    "kantor.web",
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
]

ROOT_URLCONF = "kantor.urls"
WSGI_APPLICATION = "kantor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'kantor.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KANTOR_DATABASE_URL", _DEFAULT_SQLITE), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue instead
    # of deadlocking on a read-to-write upgrade; WAL lets readers run alongside.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("KANTOR_SQLITE_TEST_NAME", "")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", "Polski"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kantor" / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

# SEC-2: a session ends after 10 minutes without activity.
SESSION_COOKIE_AGE = 10 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# SEC-9: secure by default; a developer's machine (KANTOR_DEBUG=1) runs on http.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = _env_bool("KANTOR_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get(
    "KANTOR_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("KANTOR_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KANTOR_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("KANTOR_EMAIL_FROM", "Kantor <no-reply@kantor.example>")
KANTOR_SMS_BACKEND = os.environ.get("KANTOR_SMS_BACKEND", "file")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KANTOR_LOG_LEVEL", "INFO")},
}

# --- Kantor business configuration (data the operator edits lives in the DB) ---
#: Rate source: "demo" (deterministic ticker from the last real NBP mid),
#: "nbp-file:<path>" (NBP table A JSON files) or "nbp-offline" (history only).
KANTOR_RATE_SOURCE = os.environ.get("KANTOR_RATE_SOURCE", "demo")
#: API-2: signed timestamps are valid ±5 minutes.
KANTOR_API_TIMESTAMP_TOLERANCE_SECONDS = 300
#: Order requests arriving together share one transaction (kantor.api.gateway).
KANTOR_API_ORDER_GROUP_COMMIT = _env_bool("KANTOR_API_ORDER_GROUP_COMMIT", True)
#: A group's leader waits this long for a lock, then the group fails and each
#: of its requests waits alone (PostgreSQL's lock_timeout, milliseconds).
KANTOR_API_ORDER_GROUP_LOCK_TIMEOUT_MS = int(
    os.environ.get("KANTOR_API_ORDER_GROUP_LOCK_TIMEOUT_MS", "2000")
)
#: ...and skip Django's request cycle when they are ordinary (kantor.api.orderentry).
KANTOR_API_ORDER_ENTRY = _env_bool("KANTOR_API_ORDER_ENTRY", True)
#: FX-1 / reference: a direct_fx quote (`ts`) is valid 10 minutes.
KANTOR_DIRECT_FX_QUOTE_VALIDITY_SECONDS = 600
