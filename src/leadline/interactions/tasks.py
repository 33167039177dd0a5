"""Background entry points that keep interactions current while nobody writes."""

from __future__ import annotations

from django_tasks import task


@task()
def recheck_engagement(interaction_id: int) -> str:
    """Re-read the lead's engagement after a quiet spell (Hot cools to Warm, then Cold)."""
    from leadline.agent import policy

    return policy.recheck_engagement(interaction_id=interaction_id)
