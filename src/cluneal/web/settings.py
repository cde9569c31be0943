"""The one settings module, driven by environment variables (see the README's configuration)."""

from __future__ import annotations

import dj_database_url

from cluneal.web.env import (
    ConfigError,
    data_dir,
    env_base_urls,
    env_bool,
    env_int,
    env_json_object,
    env_list,
    env_networks,
    env_str,
    secret_key,
)

DEBUG = env_bool("CLUNEAL_DEBUG", False)
SECRET_KEY = secret_key()
ALLOWED_HOSTS = env_list("CLUNEAL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CLUNEAL_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "cluneal.web.core",
    "cluneal.web.accounts",
    "cluneal.web.audit",
    "cluneal.web.records",
    "cluneal.web.cds",
    "cluneal.web.screening",
    "cluneal.web.registry",
    "cluneal.web.research",
    "cluneal.web.directory",
    "cluneal.web.learn",
    "cluneal.web.calculator",
    "cluneal.web.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cluneal.web.core.middleware.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "cluneal.web.core.middleware.RefuseNulCharacters",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cluneal.web.core.middleware.PatientDataResponses",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The CDS Hooks endpoints (/cds-services...) run with only the middleware they need, the order
# kept (cluneal.web.wsgi): no sessions, users, messages, CSRF (they are csrf_exempt: a JWT
# authenticates each request) or static files. ServerTiming measures the stages of a request.
CDS_MIDDLEWARE = [
    "cluneal.web.cds.timing.ServerTiming",
    "django.middleware.security.SecurityMiddleware",
    "cluneal.web.core.middleware.ContentSecurityPolicy",
    "django.middleware.common.CommonMiddleware",
    "cluneal.web.core.middleware.RefuseNulCharacters",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cluneal.web.urls"
WSGI_APPLICATION = "cluneal.web.wsgi.application"

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
                "cluneal.web.core.context.site",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL")
    if url:
        try:
            config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        except ValueError as exc:
            raise ConfigError(f"DATABASE_URL: {exc}") from None
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": data_dir() / "cluneal.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # A connection kept per thread (not opened and set up again for every request); WAL
        # lets readers work while one writer commits; IMMEDIATE avoids upgrade deadlocks.
        config["CONN_MAX_AGE"] = 600
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("CLUNEAL_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Request size: a case is a few kilobytes; refuse anything far larger before parsing it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("CLUNEAL_MAX_REQUEST_BYTES", 1_000_000, 10_000, 100_000_000)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "/accounts/login"
LOGIN_REDIRECT_URL = "/records/"
LOGOUT_REDIRECT_URL = "/accounts/login"
# Lock an account after this many failed logins within the window, for the window; and a client
# address after this many failed logins for any accounts (0: no limit per address).
CLUNEAL_LOGIN_MAX_FAILURES = env_int("CLUNEAL_LOGIN_MAX_FAILURES", 5, 1, 100)
CLUNEAL_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int(
    "CLUNEAL_LOGIN_MAX_FAILURES_PER_ADDRESS", 30, 0, 10_000
)
# Researchers see registry counts below this as "<N" (0: off); site administrators see all.
CLUNEAL_REGISTRY_MIN_CELL = env_int("CLUNEAL_REGISTRY_MIN_CELL", 5, 0, 1000)
CLUNEAL_LOGIN_LOCK_SECONDS = env_int("CLUNEAL_LOGIN_LOCK_SECONDS", 900, 1, 86_400)
# Sessions end after this long without a request, and when the browser closes.
SESSION_COOKIE_AGE = env_int("CLUNEAL_SESSION_SECONDS", 1800, 60, 86_400)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Patient links (pain diary, questionnaires) stay valid this many days.
CLUNEAL_LINK_DAYS = env_int("CLUNEAL_LINK_DAYS", 15, 1, 90)

# CDS Hooks: the EHRs trusted to call the service, as {"iss": "path or URL of its JWKS"}.
CLUNEAL_CDS_TRUSTED_ISSUERS = env_json_object("CLUNEAL_CDS_TRUSTED_ISSUERS", {})
# The service's public address (scheme and host), when a proxy hides it from the request; the
# JWT audience is this plus the path called.
CLUNEAL_PUBLIC_URL = env_str("CLUNEAL_PUBLIC_URL").rstrip("/")
# Screening: server directories a site administrator may point to, and the largest upload.
CLUNEAL_SCREENING_ROOT = env_str("CLUNEAL_SCREENING_ROOT")
# Days a screening run's uploaded export and candidates file are kept (web/screening/retention.py).
CLUNEAL_SCREENING_RETENTION_DAYS = env_int("CLUNEAL_SCREENING_RETENTION_DAYS", 30, 1, 3650)
CLUNEAL_SCREENING_MAX_UPLOAD = env_int("CLUNEAL_SCREENING_MAX_UPLOAD", 500_000_000, 1, 10**12)
CLUNEAL_FHIR_MAX_BYTES = env_int("CLUNEAL_FHIR_MAX_BYTES", 10_000_000, 10_000, 100_000_000)
CLUNEAL_CDS_FHIR_TIMEOUT = env_int("CLUNEAL_CDS_FHIR_TIMEOUT", 3, 1, 30)
CLUNEAL_CDS_MAX_BYTES = env_int("CLUNEAL_CDS_MAX_BYTES", 5_000_000, 10_000, 100_000_000)
# Bytes of note text a CDS request reads at most (newest notes first; the rest are skipped and
# named in the response). 0: notes are not read.
CLUNEAL_CDS_NOTES_MAX_BYTES = env_int("CLUNEAL_CDS_NOTES_MAX_BYTES", 500_000, 0, 50_000_000)
# Answer each CDS request's CPU time per stage in a Server-Timing header (for benchmarks).
CLUNEAL_CDS_SERVER_TIMING = env_bool("CLUNEAL_CDS_SERVER_TIMING", False)
# The FHIR servers each trusted issuer may send as fhirServer, {"iss": ["https://fhir base"]}:
# the EHR's access token goes to no other address.
CLUNEAL_CDS_FHIR_SERVERS = env_base_urls("CLUNEAL_CDS_FHIR_SERVERS")
if unknown := sorted(set(CLUNEAL_CDS_FHIR_SERVERS) - set(CLUNEAL_CDS_TRUSTED_ISSUERS)):
    raise ConfigError(f"CLUNEAL_CDS_FHIR_SERVERS: {unknown} not in CLUNEAL_CDS_TRUSTED_ISSUERS")
# Private, loopback and link-local addresses a FHIR server may resolve to (none by default).
CLUNEAL_CDS_FHIR_NETWORKS = env_networks("CLUNEAL_CDS_FHIR_NETWORKS")

# Security headers and cookies, on by default.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("CLUNEAL_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("CLUNEAL_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("CLUNEAL_HSTS_SECONDS", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CLUNEAL_LOG_LEVEL", "INFO")},
}
