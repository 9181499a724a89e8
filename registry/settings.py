"""Django settings: every value from the environment, with defaults that run out of the box.

With DEBUG off the process refuses to start on an insecure default (see ``_check_production``).
"""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from registry.env import env_bool, env_int, env_list, env_str, parse_database_url, private_file, weak_secret

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

# The demo ships seeded accounts and simulators; production refuses them.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"pikepdf": {"level": "WARNING"}},  # it announces its logger bridge at INFO on import
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
