"""Where a worker's time goes, from a py-spy profile in collapsed ("raw") form.

    .venv/bin/python bench/profile_summary.py PROFILE.txt [--requests N]

``bench/floor_compare.py --profile granian:current`` writes such a profile
(py-spy on one worker while wrk loads it). Each sample is given to the part of
the request its innermost recognised frame belongs to, so the shares add up to
100%: a Redis read inside the throttle counts as "cache round trips", a query
inside authentication as "database". With ``--requests`` (how many the worker
served while sampled) it also prints the CPU milliseconds per request.
"""

import argparse
import re
from collections import Counter

# Part of a request: the frames' files that belong to it, innermost match wins.
PARTS = [
    ("JSON rendering", ("rest_framework/renderers.py", "core/renderers.py", "json/", "orjson")),
    ("cache round trips (Redis client)", ("redis/", "django/core/cache/", "core/cache.py")),
    ("database (psycopg, ORM)", ("psycopg", "django/db/")),
    ("throttling", ("rest_framework/throttling.py", "core/throttling.py")),
    (
        "authentication (JWT, user row)",
        (
            "rest_framework_simplejwt/",
            "jwt/",
            "accounts/authentication.py",
            "accounts/tokens.py",
            "cryptography/",
            "hmac.py",
        ),
    ),
    (
        "views and serializers",
        (
            "predictions/",
            "accounts/views.py",
            "accounts/serializers.py",
            "rest_framework/serializers.py",
            "rest_framework/fields.py",
            "core/userdata.py",
            "moods/",
            "cycles/",
        ),
    ),
    (
        "DRF dispatch (request, negotiation, permissions, response)",
        ("rest_framework/",),
    ),
    (
        "middleware",
        (
            "django/middleware/",
            "django/contrib/sessions/",
            "django/contrib/messages/",
            "django/contrib/auth/middleware.py",
            "whitenoise/",
            "corsheaders/",
            "axes/",
            "core/middleware.py",
            "django/utils/deprecation.py",
        ),
    ),
    (
        "Django handler (WSGI request, URL resolving, response)",
        ("django/core/handlers/", "django/urls/", "django/http/", "django/utils/", "django/"),
    ),
    ("application server", ("granian/", "gunicorn/", "wsgiref/", "socket", "selectors")),
]
FRAME = re.compile(r"\(([^():]+):\d+\)")


def part_of(stack: str) -> str:
    files = FRAME.findall(stack)
    for file in reversed(files):
        for name, markers in PARTS:
            if any(marker in file for marker in markers):
                return name
    return "other (interpreter, threads)"


def summarise(path: str) -> tuple[Counter, int]:
    parts: Counter = Counter()
    total = 0
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip().rpartition(" ")
            if not count.isdigit():
                continue
            parts[part_of(stack)] += int(count)
            total += int(count)
    return parts, total


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile")
    parser.add_argument("--requests", type=int, help="requests the worker served while sampled")
    parser.add_argument("--rate", type=int, default=250, help="py-spy's samples per second")
    args = parser.parse_args()
    parts, total = summarise(args.profile)
    print(f"{total} samples ({total / args.rate:.1f} s on CPU)")
    header = "| part of the request | share |" + (" ms per request |" if args.requests else "")
    print(header)
    print("|---|--:|" + ("--:|" if args.requests else ""))
    for name, count in parts.most_common():
        row = f"| {name} | {100 * count / total:.0f}% |"
        if args.requests:
            row += f" {1000 * count / args.rate / args.requests:.2f} |"
        print(row)


if __name__ == "__main__":
    main()
