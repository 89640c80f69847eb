"""Benchmark only (bench/pages_load.py): production settings plus the framework's floor URL.

The floor is a login-required view that returns one line (SPEC §5): the same server, database
and middleware as the portal's pages, so their ratio measures the portal's own work. It lives
in `dms_portal.bench_urls`, which only this settings module names; production URLs never
include it.
"""

from .production import *  # noqa: F403

ROOT_URLCONF = "dms_portal.bench_urls"
