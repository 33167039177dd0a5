"""Exit 0 when the PostgreSQL server of the given URL accepts a connection, else 1."""

import sys

import psycopg


def main() -> int:
    url = sys.argv[1]
    try:
        with psycopg.connect(url, connect_timeout=3):
            return 0
    except psycopg.Error as exc:
        print(f"PostgreSQL check failed: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
