"""A file e-mail backend that can be told to stall before sending, so a test can
kill a worker at a known point in the middle of sending (SLOW_EMAIL_SECONDS)."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))
        return super().send_messages(email_messages)
