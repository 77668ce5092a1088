"""Safeguard settings: one module, configured from the environment.

With no environment at all the app runs on SQLite under ``var/`` and needs no
Redis: Celery then uses kombu's filesystem transport under ``var/celery/`` so a
real worker (started by ``make run``) still does the background work.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The embedded default is for a laptop; production must set its own key.
# The embedded default serves `make run` and tests only; `check --deploy`
# refuses it (safeguard/core/checks.py), since anyone can read it here.
EMBEDDED_SECRET_KEY = "embedded-default-insecure-key-change-me-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=EMBEDDED_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for the GOV.UK form renderer
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "guardian",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "safeguard.audit",
    "safeguard.notifications",
    "safeguard.core",
    "agencies",
    "cases",
    "meetings",
    "summaries",
    "referrals",
    "census",
    "subject_access",
    "retention",
    "oversight",
    "work",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safeguard.core.middleware.RenewIdleSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After both stand-ins for request.user are in place (see its docstring).
    "safeguard.core.middleware.ResolveUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safeguard.audit.middleware.RequestContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "safeguard.core.middleware.PermissionsPolicyMiddleware",
    "safeguard.core.middleware.NoStoreWhenSignedInMiddleware",
    "safeguard.core.two_factor.RequireTwoFactorMiddleware",
    # Last, as django-axes asks: it turns lockouts into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguard.urls"
FORM_RENDERER = "safeguard.core.forms.GovukFormRenderer"
WSGI_APPLICATION = "safeguard.wsgi.application"

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
                "safeguard.core.context_processors.service",
            ],
            # The ``date`` filter, faster for the project's formats and the
            # same text (safeguard/core/templatetags/fast_dates.py).
            "builtins": ["safeguard.core.templatetags.fast_dates"],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'safeguard.sqlite3'}"),
}
# One transaction per user action: a request either changes everything it
# meant to (case, chronology, audit, outbox) or nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let the web process and the worker share the file.
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: every query here is a short OLTP read or write, and at a county's
    # scale the planner's cost estimates for the access probes (EXISTS over
    # grants) run into the hundreds of thousands, past jit_above_cost. JIT then
    # spent ~1 s compiling a query that ran in 9 ms (bench/RESULTS.md, "home").
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        filter(None, [DATABASES["default"]["OPTIONS"].get("options", ""), "-c jit=off"])
    )
    # Prepared statements: every page asks the same few dozen statements with
    # other values, and with Django's default (values written into the SQL
    # text, nothing prepared) PostgreSQL parsed and planned each one again,
    # most of its time on a page at a county's scale (bench/RESULTS.md, "The
    # county after session 13"). With the values bound by the server, psycopg
    # prepares a statement on its connection once it has been run 5 times, and
    # PostgreSQL then keeps a generic plan where it costs no more than a fresh
    # one. Off (DB_PREPARED_STATEMENTS=false) only behind a pooler that cannot
    # carry prepared statements (PgBouncer before 1.21 in transaction mode).
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading each request's user with their
    # memberships and unread count in one statement (agencies/signed_in.py).
    "agencies.signed_in.SignedInUserBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule for passwords: its password_changed hook revokes the API token.
    {"NAME": "safeguard.core.api_tokens.RevokeTokensOnPasswordChange"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Django's database sessions, read with a statement compiled once per process.
SESSION_ENGINE = "safeguard.core.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# The age is an idle timeout, not a hard limit: RenewIdleSessionMiddleware renews
# it as the person works, without writing the session on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Repeated failed sign-ins lock the account for a while (django-axes).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.5)
# Lock a username *from one source*: whole councils and hospitals sit behind one
# NAT address (locking the address would lock out everyone there), and locking
# the username everywhere would let anyone who knows the `<role>@<agency>`
# pattern keep the duty social worker out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# An attempt during a lockout is refused without restarting the cool-off, so a
# request every 29 minutes cannot hold an account locked for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Scripts and styles come only from our own origin: no inline code at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Without collectstatic (make run, tests) serve straight from static/; the
# production image collects and sets this to false.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
# Only what the browser loads: the built front end and our scripts, not the
# Sass sources or the build script.
STATICFILES_DIRS = [("build", BASE_DIR / "static" / "build"), ("js", BASE_DIR / "static" / "js")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# No MEDIA_URL is routed: documents leave storage only through the audited,
# permission-checked download view.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# A PDF case summary can be downloaded for this long, then its file is deleted:
# copies of case data should not outlive the need for them.
CASE_SUMMARY_EXPIRY_HOURS = env.float("CASE_SUMMARY_EXPIRY_HOURS", default=24)
# Due and planned dates (actions, reports, reviews, meetings) no further ahead
# than this: a due date years out is a slip that hides work (safeguard/core/dates.py).
DUE_DATE_HORIZON_DAYS = env.int("DUE_DATE_HORIZON_DAYS", default=2 * 365)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Redis is optional: without it Celery runs on the filesystem transport, so a
# laptop needs nothing but Python and the background work still happens.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        # Above the longest task, so a slow PDF is never delivered twice.
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
    # The workers' own connections; publishing from a page uses a connection
    # of its own that fails far sooner (BROKER_PUBLISH_TIMEOUT_SECONDS below).
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
else:
    for sub in ("in", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "in"),
        "data_folder_out": str(CELERY_BROKER_DIR / "in"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
# PDF rendering is slow and memory-hungry: its own queue, so a burst of
# summaries never delays an urgent e-mail, and workers sized for it consume it.
CELERY_TASK_ROUTES = {
    "summaries.tasks.render_case_summary": {"queue": "pdf"},
    "subject_access.tasks.render_subject_access_bundle": {"queue": "pdf"},
}
# The workers keep reconnecting while Redis is away (publishing does not: see below).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a page (safeguard/queue.py): once per transaction, over a
# connection that gives up after this long (a broker on the same network
# answers in about a millisecond), and after a failure not tried again by this
# process for BROKER_RETRY_AFTER_SECONDS: the rows wait in PostgreSQL and the
# sweeps queue them when the broker is back. A dead broker costs a page at most
# one timeout, whatever the number of recipients.
BROKER_PUBLISH_TIMEOUT_SECONDS = env.float("BROKER_PUBLISH_TIMEOUT_SECONDS", default=0.05)
BROKER_RETRY_AFTER_SECONDS = env.float("BROKER_RETRY_AFTER_SECONDS", default=10)

# Reminders (SPEC 3.6): warn this many working days ahead; sweep this often;
# daily digests go out once this local hour has passed.
REMINDER_WARN_WORKING_DAYS = env.int("REMINDER_WARN_WORKING_DAYS", default=2)
REMINDER_SWEEP_SECONDS = env.float("REMINDER_SWEEP_SECONDS", default=600)
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", default=7)
# The outbox: how often beat re-dispatches lost e-mails, how long a new row
# waits for its own dispatch first, and after how long a claimed row is taken
# to belong to a dead worker (keep it above the slowest SMTP send).
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=60)
OUTBOX_PENDING_GRACE_SECONDS = env.float("OUTBOX_PENDING_GRACE_SECONDS", default=30)
OUTBOX_STUCK_SECONDS = env.float("OUTBOX_STUCK_SECONDS", default=600)
# /healthz calls beat or a worker stale when not seen for this long.
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=60)
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=180)

# The audit log (safeguard/audit): rows are sealed into a keyed chain by a beat
# task every AUDIT_SEAL_SECONDS; verify_audit fails rows left unsealed longer
# than AUDIT_SEAL_MAX_AGE_SECONDS. AUDIT_KEYS is "id:secret,..." (first seals,
# the rest verify older rows), never stored in the database; unset, a
# development key is derived from SECRET_KEY and `check --deploy` refuses it.
# Signed checkpoints of the chain's head go to AUDIT_CHECKPOINT_DIR, at most
# every AUDIT_CHECKPOINT_SECONDS: ship that folder off the server (README).
AUDIT_KEYS = env.str("AUDIT_KEYS", default="")
AUDIT_SEAL_SECONDS = env.float("AUDIT_SEAL_SECONDS", default=5)
AUDIT_SEAL_MAX_AGE_SECONDS = env.int("AUDIT_SEAL_MAX_AGE_SECONDS", default=60)
AUDIT_CHECKPOINT_DIR = env.str("AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints"))
AUDIT_CHECKPOINT_SECONDS = env.float("AUDIT_CHECKPOINT_SECONDS", default=60)

# The embedded default writes e-mails as files under var/mail to read by hand.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    # django-environ drops the leading slash of a filemail path; take it plainly.
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Safeguard <no-reply@safeguard.invalid>")
# Links in e-mails point here; e-mails carry a link and a reference, never case details.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

# An API token works for this many days from its creation, then must be replaced.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)
# A token left unused this long stops working (a forgotten integration's key
# should not wait, valid, in a config file): safeguard/core/api_tokens.py.
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=30)
REST_FRAMEWORK = {
    # Token first: a bad token fails before any session is looked at, and an
    # unauthenticated call gets 401 with WWW-Authenticate rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safeguard.core.api_tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with size and depth limits: a deeply nested body is a 400, never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "safeguard.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "safeguard.core.api_schema.AutoSchema",
    # Every error in one body: {"detail": "...", "errors": {field: [...]}}.
    "EXCEPTION_HANDLER": "safeguard.core.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safeguard API",
    "DESCRIPTION": "Multi-agency child safeguarding case management. Every route obeys the "
    "same access rules as the pages: what you may not see does not exist (404). Text is "
    "trimmed of surrounding spaces before it is checked (a field that may not be blank "
    "refuses one of only spaces), and a NUL character is refused in any text.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Request bodies as their own components (``...Request``): what a client may
    # send (required, not blank, no NUL) is then not confused with what it reads.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Case.Status",
        "ConcernStatusEnum": "cases.models.Concern.Status",
        "MeetingKindEnum": "meetings.models.Meeting.Kind",
        "MeetingDecisionEnum": "meetings.models.MeetingCase.Decision",
        "ConcernDecisionEnum": "cases.models.Concern.Decision",
        "CaseActionStatusEnum": "cases.models.CaseAction.Status",
        "PlanKindEnum": "cases.models.Plan.Kind",
        "Section47OutcomeEnum": "cases.models.Section47Enquiry.Outcome",
        "OpenWorkKindEnum": ["assessment", "section47", "plan"],
        "ReferralSourceEnum": "cases.dfe_codes.ReferralSource",
        "AttendeeKindEnum": "meetings.models.MeetingAttendee.Kind",
        "InvolvementReasonEnum": "cases.models.Involvement.Reason",
        "CensusReturnStatusEnum": "census.models.CensusReturn.Status",
        "RetainedRecordKindEnum": "retention.serializers.KINDS",
        "HeldRecordKindEnum": "retention.serializers.HOLD_KINDS",
        "SubjectAccessStatusEnum": "subject_access.models.SubjectAccessRequest.Status",
        "SubjectAccessBundleStatusEnum": "subject_access.models.SubjectAccessBundle.Status",
        "SubjectAccessItemKindEnum": "subject_access.models.SubjectAccessItem.Kind",
        "RedactionCategoryEnum": "subject_access.models.SubjectAccessRedaction.Category",
        # Named once a second "category" (the redactions') came: the plans' own.
        "PlanCategoryEnum": "cases.models.Plan.Category",
        "AuditActionEnum": "safeguard.audit.models.AuditEvent.Action",
        "RedactionReasonEnum": "subject_access.models.SubjectAccessRedaction.Reason",
    },
}

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous people see nothing

# Two-factor sign-in for every role that reaches case data. Off only for the
# demo (make run), never in production.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Safeguard"

# Break-glass access to a restricted case lasts this long; restrictions are
# reviewed on this cycle (SPEC 2).
BREAK_GLASS_HOURS = env.float("BREAK_GLASS_HOURS", default=4)
RESTRICTION_REVIEW_DAYS = env.int("RESTRICTION_REVIEW_DAYS", default=90)

# Retention (SPEC 3.9): years each kind of record is kept, by rule (the rules,
# what each counts from and the sources they follow are in retention/schedule.py
# and docs/retention.md). RETENTION_SCHEDULE overrides the defaults for every
# council, e.g. '{"child_protection": 40}'; RETENTION_COUNCIL_SCHEDULES
# overrides them for one lead agency by its slug, e.g.
# '{"northshire-csc": {"concern_no_case": 7}}'. A council's own figures win.
RETENTION_SCHEDULE = env.json("RETENTION_SCHEDULE", default={})
RETENTION_COUNCIL_SCHEDULES = env.json("RETENTION_COUNCIL_SCHEDULES", default={})
# How often the beat refreshes the review queue of records past their date.
RETENTION_REFRESH_SECONDS = env.float("RETENTION_REFRESH_SECONDS", default=6 * 3600)
# How often the beat counts the oversight dashboard's timescale figures again
# (oversight.summary; the page says as at when).
OVERSIGHT_REFRESH_SECONDS = env.float("OVERSIGHT_REFRESH_SECONDS", default=5 * 60)
# How often the beat folds the open-case counts' rows (oversight.caseloads):
# each change to a case appends two; the counts are exact either way.
OVERSIGHT_COMPACT_SECONDS = env.float("OVERSIGHT_COMPACT_SECONDS", default=60 * 60)

# The demo seeds every user with this password; never set it in production.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-password-change-me")

SERVICE_NAME = "Safeguard"
PHASE = env.str("SERVICE_PHASE", default="Beta")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint's font subsetting narrates every table of every font at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
