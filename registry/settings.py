"""Django settings: every value from the environment, with defaults that run out of the box.

With DEBUG off the process refuses to start on an insecure default (see ``_check_production``).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from registry.env import env_bool, env_int, env_list, env_str, parse_database_url

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
    "registry.workcalendar",
    "registry.people",
    "registry.applications",
    "registry.certificates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
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

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "registry" / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
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
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
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

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")}}

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "certificates": _CERTIFICATE_STORAGE,
}


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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}


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
# Sensitive acts (submitting, confirming, deciding, downloading) need a sign-in at most this old.
REAUTH_MAX_AGE_SECONDS = env_int("REAUTH_MAX_AGE_SECONDS", 15 * 60)


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
    if YKB_CLIENT_SECRET == _DEMO_YKB_SECRET:
        problems.append("YKB_CLIENT_SECRET must be set")
    if problems:
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + "; ".join(problems))
# --- end of identity and access ---------------------------------------------------------------------


def _check_production() -> None:
    """Refuse to run with DEBUG off on a default that is only safe for the demo."""
    problems = []
    if SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the real host names (no wildcard)")
    if DEMO_MODE:
        problems.append("DEMO_MODE must be off in production")
    if CERTIFICATE_VERIFICATION_KEY in {_INSECURE_KEY, SECRET_KEY} or len(CERTIFICATE_VERIFICATION_KEY) < 32:
        problems.append("CERTIFICATE_VERIFICATION_KEY must be set to its own random value of at least 32 characters")
    if problems:
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + "; ".join(problems))


if not DEBUG:
    _check_production()
    _check_identity_production()
    _check_certificates_production()
