#!/usr/bin/env bash
# Runs the whole suite; "no tests collected" (pytest exit 5) is a failure too.
set -u
bin="$1"
"$bin/python" -m pytest -n 2 --dist loadfile "${@:2}"
rc=$?
if [ "$rc" = 5 ]; then echo "no tests were collected" >&2; exit 1; fi
exit "$rc"
