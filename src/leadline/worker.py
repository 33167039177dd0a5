"""The task worker: runs due background work (sends, follow-ups, webhooks)."""

from __future__ import annotations

import os

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker


def run_worker(*, interval: float = 1.0, install_signals: bool = True, batch: bool = False) -> None:
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
    try:
        worker.run()
    finally:
        close_old_connections()
