"""The task worker: runs due background work (sends, follow-ups, webhooks)."""

from __future__ import annotations

import os

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker


def _settle_texts_left_in_flight() -> None:
    """A worker that starts may follow one that crashed mid-send: look those texts up first.

    Each send already has its own look-up task, written with it; this sweep is the
    safety net for texts whose task was lost with a restored or hand-edited database.
    """
    from leadline.channels import tasks

    tasks.reconcile_stale_messages.enqueue()


# An idle worker looks for due work this often. A new lead's first text waits for the
# next look (then runs at once), so this bounds Speed to Lead's delay: see
# docs/performance.md, "Lead intake". A look is one indexed query.
IDLE_POLL_SECONDS = 0.2


def run_worker(
    *, interval: float = IDLE_POLL_SECONDS, install_signals: bool = True, batch: bool = False
) -> None:
    """Poll the task table and run what is due, until stopped (or idle, with batch)."""
    worker = Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=f"{os.uname().nodename}-{os.getpid()}",
        excluded_queue_names=[],
    )
    if install_signals:
        worker.configure_signals()
    _settle_texts_left_in_flight()
    try:
        worker.run()
    finally:
        close_old_connections()
