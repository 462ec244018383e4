#!/usr/bin/env python
import os
import secrets
import sys

# Commands that only read the code and the schema sign nothing, so they need no
# SECRET_KEY (settings refuse to load without one when DEBUG is off): given a
# throwaway key, `makemigrations --check` runs on a bare checkout.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "spectacular"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planher.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
