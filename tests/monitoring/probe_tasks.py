"""A task that logs, for the tests of request ids in task logs (inline and on a real worker)."""

import logging

from celery import shared_task

logger = logging.getLogger("tests.monitoring.probe")


@shared_task(name="tests.monitoring.probe")
def probe(depth: int = 0):
    logger.info("probe at depth %s", depth)
    if depth > 0:
        # A task queued by a task carries the same request id on.
        probe.delay(depth - 1)
