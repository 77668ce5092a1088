"""Settings for worker processes the integration tests start: the project's own,
with e-mails written as files by a backend a test can slow down."""

from safeguard.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.integration.slow_mail.EmailBackend"
