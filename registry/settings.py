"""Django settings: every value from the environment, with defaults that run out of the box.

With DEBUG off the process refuses to start on an insecure default (see ``_check_production``).
"""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from registry.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_cache_url,
    parse_database_url,
    private_file,
    weak_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REGISTRY_VAR_DIR", str(BASE_DIR / "var")))

_INSECURE_KEY = "insecure-demo-key-do-not-use-in-production"

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_BASE_URL = env_str("SITE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "registry.audit",
    "registry.workcalendar",
    "registry.people",
    "registry.applications",
    "registry.certificates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "registry.middleware.LostRaceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "registry" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'registry.sqlite3'}"), str(BASE_DIR)
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default needs its folder; a server database needs nothing local.
    private_file(Path(DATABASES["default"]["NAME"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# The interface speaks Simplified Chinese to everyone: one language, so no browser's Accept-Language
# can switch Django's own text (form errors, the console) to another in the middle of a Chinese page,
# and no LocaleMiddleware to negotiate it on every request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "registry" / "static"]
# Uploaded scans are private: they are served only through views that check permissions.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}


# Workflow parameters (deployment data, not code).
REVIEW_WORKDAYS = env_int("REVIEW_WORKDAYS", 10)
REVIEW_WORKDAYS_CHANGE = env_int("REVIEW_WORKDAYS_CHANGE", 3)
ACCEPT_ON_WORKDAY = env_int("ACCEPT_ON_WORKDAY", 2)
RENEWAL_WINDOW_OPENS_DAYS = env_int("RENEWAL_WINDOW_OPENS_DAYS", 90)
RENEWAL_WINDOW_CLOSES_DAYS = env_int("RENEWAL_WINDOW_CLOSES_DAYS", 30)
FACE_CHECK_MAX_AGE_SECONDS = env_int("FACE_CHECK_MAX_AGE_SECONDS", 600)
DUE_SOON_WORKDAYS = env_int("DUE_SOON_WORKDAYS", 2)

# Certificates and seals.
AUTHORITY_NAME = env_str("AUTHORITY_NAME", "重庆市住房和城乡建设委员会")
AUTHORITY_CREDIT_CODE = env_str("AUTHORITY_CREDIT_CODE", "")
SEAL_KEY_DIR = Path(env_str("SEAL_KEY_DIR", str(VAR_DIR / "demo-seal")))
# The key of the check value in each certificate's verification URL (QR code).
CERTIFICATE_VERIFICATION_KEY = env_str("CERTIFICATE_VERIFICATION_KEY", SECRET_KEY)
CERTIFICATE_VERIFY_BASE_URL = env_str("CERTIFICATE_VERIFY_BASE_URL", SITE_BASE_URL + "/certificates/verify")
# A JSON layout of the certificate page; empty for the bundled Chongqing layout.
CERTIFICATE_LAYOUT_FILE = env_str("CERTIFICATE_LAYOUT_FILE", "")

# --- E-certificates (registry.certificates) ----------------------------------------------------------
# Who seals: "demo" (the software key in SEAL_KEY_DIR, refused in production) or "remote" (a signing
# service holding the key; its certificate and the authority's seal are public files).
CERTIFICATE_SIGNER = env_str("CERTIFICATE_SIGNER", "demo")
CERTIFICATE_SIGNER_URL = env_str("CERTIFICATE_SIGNER_URL", "")
CERTIFICATE_SIGNER_TOKEN = env_str("CERTIFICATE_SIGNER_TOKEN", "")
CERTIFICATE_SIGNER_CERT_FILE = env_str("CERTIFICATE_SIGNER_CERT_FILE", "")
CERTIFICATE_SEAL_FILE = env_str("CERTIFICATE_SEAL_FILE", "")
# The authority's trust roots (PEM bundle) that its certificates' seals chain to: checked after a restore
# and by public verification. Empty with the demo signer: the demo's own root.
CERTIFICATE_TRUST_ROOTS_FILE = env_str("CERTIFICATE_TRUST_ROOTS_FILE", "")
# Verification requests (the QR landing page) one client address may make per minute.
VERIFY_RATE_PER_MINUTE = env_int("VERIFY_RATE_PER_MINUTE", 60)
# Each process adds its rate-limit counts to the shared counters this many milliseconds after the first
# (registry.ops.ratelimit); 0 counts each request in the cache in its own round trip.
RATE_LIMIT_SYNC_MS = env_int("RATE_LIMIT_SYNC_MS", 250)
# Verification checks are counted in each process's memory and written this many seconds after the first
# (registry.certificates.checks); 0 writes each at once.
VERIFICATION_COUNT_DELAY_SECONDS = env_int("VERIFICATION_COUNT_DELAY_SECONDS", 2)
# The caches: one process's memory by default (demo, tests); Redis in production, so that every gunicorn
# worker counts the same rate limit ("ratelimit", its own key prefix) and sees the same cached documents.
CACHE_URL = env_str("CACHE_URL") or "locmem://"
CACHES = {"default": parse_cache_url(CACHE_URL), "ratelimit": parse_cache_url(CACHE_URL, key_prefix="ratelimit")}
# The largest certificate file the public upload check accepts (refused by its size before it is read).
VERIFY_UPLOAD_MAX_BYTES = env_int("VERIFY_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# Where sealed files are kept: "local" (a private folder) or "s3" (an S3-compatible bucket, django-storages).
CERTIFICATE_STORAGE = env_str("CERTIFICATE_STORAGE", "local")
CERTIFICATE_STORAGE_ROOT = Path(env_str("CERTIFICATE_STORAGE_ROOT") or str(VAR_DIR / "certificates"))
CERTIFICATE_S3_BUCKET = env_str("CERTIFICATE_S3_BUCKET", "")
CERTIFICATE_S3_ENDPOINT_URL = env_str("CERTIFICATE_S3_ENDPOINT_URL", "")
CERTIFICATE_S3_REGION = env_str("CERTIFICATE_S3_REGION", "")
CERTIFICATE_S3_ACCESS_KEY = env_str("CERTIFICATE_S3_ACCESS_KEY", "")
CERTIFICATE_S3_SECRET_KEY = env_str("CERTIFICATE_S3_SECRET_KEY", "")
# A stored file with no certificate row is removed by the sweep once it is older than this.
CERTIFICATE_ORPHAN_GRACE_SECONDS = env_int("CERTIFICATE_ORPHAN_GRACE_SECONDS", 3600)
# 证照标识 (GB/T 36904): the licence type code (defining ministry's credit code + catalogue serial) and
# the issuing authority's credit code (AUTHORITY_CREDIT_CODE; the demo uses a placeholder).
CERTIFICATE_LICENCE_TYPE_CODE = env_str("CERTIFICATE_LICENCE_TYPE_CODE", "11100000000013338W001")
_DEMO_AUTHORITY_CODE = "11500000MB1234567A"
CERTIFICATE_ISSUER_CODE = AUTHORITY_CREDIT_CODE or _DEMO_AUTHORITY_CODE

if CERTIFICATE_STORAGE == "s3":
    _CERTIFICATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CERTIFICATE_S3_BUCKET,
            "endpoint_url": CERTIFICATE_S3_ENDPOINT_URL or None,
            "region_name": CERTIFICATE_S3_REGION or None,
            "access_key": CERTIFICATE_S3_ACCESS_KEY or None,
            "secret_key": CERTIFICATE_S3_SECRET_KEY or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _CERTIFICATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(CERTIFICATE_STORAGE_ROOT),
                    "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
# The sealed certificates' own storage joins STORAGES in the operations block below.


def _check_certificates_production() -> None:
    """Refuse to run with DEBUG off on the demo seal key or an incomplete signer or storage."""
    problems = []
    if CERTIFICATE_SIGNER == "demo":
        problems.append("CERTIFICATE_SIGNER must not be the demo seal key in production (use remote)")
    elif CERTIFICATE_SIGNER == "remote":
        for name, value in (("CERTIFICATE_SIGNER_URL", CERTIFICATE_SIGNER_URL),
                            ("CERTIFICATE_SIGNER_TOKEN", CERTIFICATE_SIGNER_TOKEN),
                            ("CERTIFICATE_SIGNER_CERT_FILE", CERTIFICATE_SIGNER_CERT_FILE),
                            ("CERTIFICATE_SEAL_FILE", CERTIFICATE_SEAL_FILE)):
            if not value:
                problems.append(f"{name} must be set")
    else:
        problems.append("CERTIFICATE_SIGNER must be demo or remote")
    if not AUTHORITY_CREDIT_CODE:
        problems.append("AUTHORITY_CREDIT_CODE must be set (it is part of every e-licence identifier)")
    if CERTIFICATE_STORAGE == "s3" and not CERTIFICATE_S3_BUCKET:
        problems.append("CERTIFICATE_S3_BUCKET must be set")
    if problems:
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + "; ".join(problems))
# --- end of e-certificates --------------------------------------------------------------------------

# The demo ships seeded accounts and simulators; production refuses them.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

# --- Identity and access (registry.people, registry.ykb_sim) -----------------------------------------
# 渝快办 sign-in (OpenID Connect, authorization code + PKCE). In the demo the issuer is the local
# simulator mounted at /ykb-sim/; production must point at the real provider (checked below).
INSTALLED_APPS.append("registry.ykb_sim")
MIDDLEWARE.append("registry.people.middleware.PasswordChangeRequiredMiddleware")
AUTHENTICATION_BACKENDS = ["registry.people.backends.ThrottledModelBackend"]
PASSWORD_HASHERS += [
    # Imported hashes of the former system; Django re-hashes with Argon2 on the first correct password.
    "registry.people.hashers.LegacySaltedSHA1PasswordHasher",
    "registry.people.hashers.LegacyMD5PasswordHasher",
]
YKB_SIM_PATH = "/ykb-sim"
_DEMO_YKB_SECRET = "demo-ykb-client-secret"
YKB_ISSUER = env_str("YKB_ISSUER", SITE_BASE_URL + YKB_SIM_PATH if DEMO_MODE else "").rstrip("/")
YKB_CLIENT_ID = env_str("YKB_CLIENT_ID", "cq-jzs-registry")
YKB_CLIENT_SECRET = env_str("YKB_CLIENT_SECRET", _DEMO_YKB_SECRET)
YKB_SCOPES = env_str("YKB_SCOPES", "openid profile phone ykb.realname")
YKB_REDIRECT_URI = env_str("YKB_REDIRECT_URI", "")  # empty: built from the request
YKB_ID_TOKEN_ALGORITHMS = env_list("YKB_ID_TOKEN_ALGORITHMS", ["ES256", "RS256"])
YKB_MIN_REAL_NAME_LEVEL = env_str("YKB_MIN_REAL_NAME_LEVEL", "L2")
YKB_HTTP_TIMEOUT = env_int("YKB_HTTP_TIMEOUT", 10)
YKB_CLOCK_SKEW_SECONDS = env_int("YKB_CLOCK_SKEW_SECONDS", 60)
# The simulator's signing keys (ID tokens, face results, demo identity locks): files, never the DB.
YKB_SIM_KEY_DIR = Path(env_str("YKB_SIM_KEY_DIR", str(VAR_DIR / "ykb-sim")))
# Face verification provider: where to send the person, who signs results, where its public keys are.
FACE_PROVIDER_START_URL = env_str("FACE_PROVIDER_START_URL", YKB_SIM_PATH + "/face/" if DEMO_MODE else "")
FACE_PROVIDER_ISSUER = env_str("FACE_PROVIDER_ISSUER", "ykb-sim-face" if DEMO_MODE else "")
# A JWKS URL (https://...) or a JWKS file path; the demo reads the simulator's public key file.
FACE_PROVIDER_JWKS = env_str("FACE_PROVIDER_JWKS", str(YKB_SIM_KEY_DIR / "face-public.jwks") if DEMO_MODE else "")
FACE_REQUEST_MAX_AGE_SECONDS = env_int("FACE_REQUEST_MAX_AGE_SECONDS", 900)
# An on-site check at the service centre counts as a face check for this long.
FACE_ONSITE_VALID_SECONDS = env_int("FACE_ONSITE_VALID_SECONDS", 3 * 24 * 3600)
# Identity lock (身份锁) challenge: the lock driver page and the nonce lifetime.
LOCK_DRIVER_URL = env_str("LOCK_DRIVER_URL", YKB_SIM_PATH + "/lock/" if DEMO_MODE else "")
LOCK_CHALLENGE_SECONDS = env_int("LOCK_CHALLENGE_SECONDS", 300)
# Login throttling: failures counted in the database per username and per address.
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 15 * 60)
LOGIN_THROTTLE_MAX_PER_USER = env_int("LOGIN_THROTTLE_MAX_PER_USER", 5)
LOGIN_THROTTLE_MAX_PER_IP = env_int("LOGIN_THROTTLE_MAX_PER_IP", 30)
# Failures of one account from one address lock that pair only; an account's own failures from many
# addresses only slow it down (a growing delay), so strangers cannot lock the authority's staff out.
LOGIN_THROTTLE_SLOWDOWN_AFTER = env_int("LOGIN_THROTTLE_SLOWDOWN_AFTER", 10)
LOGIN_THROTTLE_MAX_DELAY_SECONDS = env_int("LOGIN_THROTTLE_MAX_DELAY_SECONDS", 5)
# Addresses (or networks, CIDR) of the reverse proxies whose X-Forwarded-For names the client; empty: none.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Sensitive acts (submitting, confirming, deciding, downloading) need a sign-in at most this old.
REAUTH_MAX_AGE_SECONDS = env_int("REAUTH_MAX_AGE_SECONDS", 15 * 60)
# Signature algorithms an ID token may use: asymmetric only ("none" and shared-secret HMAC are refused).
SAFE_ID_TOKEN_ALGORITHMS = {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                            "EdDSA"}
FACE_CHECK_MAX_AGE_LIMIT = 600


def _check_identity_always() -> list[str]:
    """Return what is wrong whatever the mode: settings no deployment may have."""
    problems = []
    unsafe = sorted(set(YKB_ID_TOKEN_ALGORITHMS) - SAFE_ID_TOKEN_ALGORITHMS)
    if unsafe or not YKB_ID_TOKEN_ALGORITHMS:
        problems.append(f"YKB_ID_TOKEN_ALGORITHMS may only list {', '.join(sorted(SAFE_ID_TOKEN_ALGORITHMS))}"
                        f" (refused: {', '.join(unsafe) or 'empty'})")
    for proxy in TRUSTED_PROXIES:
        try:
            ip_network(proxy, strict=False)
        except ValueError:
            problems.append(f"TRUSTED_PROXIES must list addresses or networks (CIDR); {proxy!r} is neither")
    if not 0 < FACE_CHECK_MAX_AGE_SECONDS <= FACE_CHECK_MAX_AGE_LIMIT:
        problems.append(f"FACE_CHECK_MAX_AGE_SECONDS must be between 1 and {FACE_CHECK_MAX_AGE_LIMIT}"
                        " (a face check is single-use within 10 minutes)")
    return problems


def _check_identity_production() -> None:
    """Refuse to run with DEBUG off against the 渝快办 simulator or with demo identity secrets."""
    problems = []
    for name, value in (("YKB_ISSUER", YKB_ISSUER), ("FACE_PROVIDER_START_URL", FACE_PROVIDER_START_URL),
                        ("FACE_PROVIDER_JWKS", FACE_PROVIDER_JWKS), ("LOCK_DRIVER_URL", LOCK_DRIVER_URL)):
        if not value:
            problems.append(f"{name} must be set")
        elif YKB_SIM_PATH in value or "ykb-sim" in value:
            problems.append(f"{name} points at the 渝快办 simulator")
    if not FACE_PROVIDER_ISSUER or FACE_PROVIDER_ISSUER.startswith("ykb-sim"):
        problems.append("FACE_PROVIDER_ISSUER must name the real face provider")
    for name, value in (("YKB_ISSUER", YKB_ISSUER), ("FACE_PROVIDER_START_URL", FACE_PROVIDER_START_URL),
                        ("FACE_PROVIDER_JWKS", FACE_PROVIDER_JWKS), ("LOCK_DRIVER_URL", LOCK_DRIVER_URL)):
        if value.lower().startswith("http://") or (name == "YKB_ISSUER" and not value.startswith("https://")):
            problems.append(f"{name} must be an https:// URL")
    if YKB_CLIENT_SECRET == _DEMO_YKB_SECRET:
        problems.append("YKB_CLIENT_SECRET must be set")
    if problems:
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + "; ".join(problems))
# --- end of identity and access ---------------------------------------------------------------------


# --- Work that leaves the system (registry.outbox, registry.national_sim) -----------------------------
# Background work runs on Django's Tasks API. The embedded default is the database worker
# (`manage.py db_worker`); TASKS_BACKEND=django_tasks_rq.RQBackend runs the same tasks on RQ over Redis
# (`manage.py rqworker default`, on any number of machines).
TASKS_BACKEND = env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
INSTALLED_APPS += ["django_tasks_db", "django_rq", "registry.outbox"]
# A claimed delivery not finished within this many seconds (a killed worker) is delivered again.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)
# Retry delays: exponential from the base, capped, with full jitter; retried until acknowledged.
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 30)
OUTBOX_BACKOFF_MAX_SECONDS = env_int("OUTBOX_BACKOFF_MAX_SECONDS", 3600)
# How often the scheduler hands due and stalled messages back to the workers.
OUTBOX_RETRY_INTERVAL_SECONDS = env_int("OUTBOX_RETRY_INTERVAL_SECONDS", 30)
# How often the scheduler runs the acceptance sweep.
ACCEPT_SWEEP_INTERVAL_SECONDS = env_int("ACCEPT_SWEEP_INTERVAL_SECONDS", 60)
# The national platform (全国建筑市场监管公共服务平台) feed; the demo points at the local stand-in.
NATIONAL_SIM_PATH = "/national-sim"
NATIONAL_PLATFORM_URL = env_str(
    "NATIONAL_PLATFORM_URL", SITE_BASE_URL + NATIONAL_SIM_PATH + "/api/messages" if DEMO_MODE else "")
NATIONAL_PLATFORM_CLIENT_ID = env_str("NATIONAL_PLATFORM_CLIENT_ID", "cq-jzs-registry")
_DEMO_NATIONAL_SECRET = "demo-national-secret"
NATIONAL_PLATFORM_SECRET = env_str("NATIONAL_PLATFORM_SECRET", _DEMO_NATIONAL_SECRET)
NATIONAL_PLATFORM_TIMEOUT = env_int("NATIONAL_PLATFORM_TIMEOUT", 10)
# Notices: e-mail through Django's e-mail backends (the console in the demo), SMS through an adapter.
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": {} if "console" in _EMAIL_BACKEND else {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
}}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jzs-registry@localhost")
# "console" (the stand-in: writes a masked line to the log) or "http" (the gateway below).
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
# The 补正 notice asks for the material within this many working days (stated in the notice).
SUPPLEMENT_WORKDAYS = env_int("SUPPLEMENT_WORKDAYS", 5)
# Timeout in seconds of an employer's webhook.
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
if DEMO_MODE:
    INSTALLED_APPS.append("registry.national_sim")
# SQLite (the web server, the worker and the scheduler write one file) runs in WAL with immediate write
# transactions and a busy timeout: see registry/env.py parse_database_url.


def _check_outbox_production() -> None:
    """Refuse to run with DEBUG off against the national stand-in or with its demo secret."""
    problems = []
    if not NATIONAL_PLATFORM_URL or NATIONAL_SIM_PATH in NATIONAL_PLATFORM_URL:
        problems.append("NATIONAL_PLATFORM_URL must point at the national platform")
    if NATIONAL_PLATFORM_SECRET == _DEMO_NATIONAL_SECRET:
        problems.append("NATIONAL_PLATFORM_SECRET must be set")
    if SMS_BACKEND == "http" and not SMS_GATEWAY_URL:
        problems.append("SMS_GATEWAY_URL must be set with SMS_BACKEND=http")
    if problems:
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + "; ".join(problems))
# --- end of work that leaves the system ---------------------------------------------------------------


# --- Production run and operations (registry.ops) ----------------------------------------------------
# Static files built by collectstatic into STATIC_ROOT and served by whitenoise (or the proxy); private
# files (scans, certificates) on local private disk or an S3-compatible bucket; logs one JSON object per
# line in production; health checks; error reporting; backup and restore. See deploy/README.md.
from registry.ops.logs import lean_records, logging_config  # noqa: E402

INSTALLED_APPS.append("registry.ops")
# The request id first, so every log line of the request carries it; whitenoise right after security.
MIDDLEWARE.insert(0, "registry.ops.logs.RequestIdMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
if DEBUG:
    # The demo serves static files from the apps' folders; whitenoise still wants STATIC_ROOT to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "local":
    _PRIVATE_STORAGE = {"BACKEND": "registry.ops.storage.PrivateFileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _PRIVATE_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env_str("MEDIA_S3_BUCKET", ""),
        "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("MEDIA_S3_REGION", "") or None,
        "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID", ""),
        "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY", ""),
        "location": env_str("MEDIA_S3_PREFIX", ""),
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
    }}
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, got {MEDIA_STORAGE!r}")
STORAGES = {
    "default": _PRIVATE_STORAGE,
    "certificates": _CERTIFICATE_STORAGE,
    "private": _PRIVATE_STORAGE,
    # Hashed, compressed names in production (collectstatic first); plain files in the demo and tests.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Probes over plain HTTP from the load balancer are not redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=LOG_LEVEL)

# Error reporting: only when a DSN is set (pip install '.[sentry]'); personal data is never sent.
SENTRY_DSN = env_str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = env_str("SENTRY_RELEASE", "")
if LOG_FORMAT == "json":
    # Production's records gather only what its lines print; the text format's (the demo, the tests)
    # keep every field, since pytest shows the file and line of a failing test's log lines.
    lean_records(keep_caller=bool(SENTRY_DSN))
if SENTRY_DSN:
    from registry.ops.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE)

# What /readyz checks, in order: each a function that raises when not ready;
# check_signer asks the certificates' configured signer (CERTIFICATE_SIGNER) to sign a probe.
READINESS_CHECKS = [
    "registry.ops.health.check_database",
    "registry.ops.health.check_migrations",
    "registry.ops.health.check_storage",
    "registry.ops.health.check_signer",
    "registry.ops.health.check_task_queue",
]
# `manage.py backup` archives the database and the private storage when it is on local disk (a bucket is
# backed up by its own versioning or replication), plus these folders (name in the archive: folder).
BACKUP_EXTRA_FOLDERS: dict[str, Path] = {}
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
# What `manage.py restore` runs after restoring: each takes `now` and returns a registry.ops.backup.Check
# listing what it checked and what failed. The certificates app adds its re-verification here.
RESTORE_VERIFIERS = ["registry.applications.restore.verify_materials", "registry.certificates.restore.verify_certificates"]
# --- end of production run and operations ------------------------------------------------------------


def _check_production() -> None:
    """Refuse to run with DEBUG off on a default that is only safe for the demo."""
    problems = []
    if SECRET_KEY == _INSECURE_KEY or weak_secret(SECRET_KEY, 50):
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters"
                        " (with at least 12 different characters)")
    if any(origin.startswith("http://") or "*" in origin for origin in CSRF_TRUSTED_ORIGINS):
        problems.append("CSRF_TRUSTED_ORIGINS must list https:// origins only, without wildcards")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the real host names (no wildcard)")
    if DEMO_MODE:
        problems.append("DEMO_MODE must be off in production")
    if env_str("REGISTRY_DEMO_CLOCK_FILE"):
        problems.append("REGISTRY_DEMO_CLOCK_FILE must not be set in production (it moves the system's clock)")
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        problems.append("CACHE_URL must be a shared redis:// cache (a per-process cache makes the rate limit"
                        " per gunicorn worker)")
    if CERTIFICATE_VERIFICATION_KEY in {_INSECURE_KEY, SECRET_KEY} or weak_secret(CERTIFICATE_VERIFICATION_KEY, 32):
        problems.append("CERTIFICATE_VERIFICATION_KEY must be set to its own random value of at least 32 characters"
                        " (with at least 12 different characters)")
    if problems:
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + "; ".join(problems))


if _always := _check_identity_always():
    raise ImproperlyConfigured("Refusing to start: " + "; ".join(_always))
if not DEBUG:
    _check_production()
    _check_identity_production()
    _check_outbox_production()
    _check_certificates_production()
