# The real SMTP server of the account mail's tests, for the reminders' walk.
from accounts.tests.test_mail_smtp import smtp_server  # noqa: F401
