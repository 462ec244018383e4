#!/usr/bin/env python
import base64
import os
import secrets
import sys

# Commands that only read the code and the schema sign nothing and read no
# notes, so they need no SECRET_KEY nor FIELD_ENCRYPTION_KEYS (settings refuse
# to load without them when DEBUG is off): given throwaway keys,
# `makemigrations --check` runs on a bare checkout.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "spectacular"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planher.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        os.environ.setdefault(
            "FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
