"""Background entry points of the campaigns: cadence touches and abandonment."""

from __future__ import annotations

from django_tasks import task


@task()
def run_touch(interaction_id: int, touch: int) -> str:
    """Send the `touch`-th message of the cadence, unless it went out already or is moot."""
    from leadline.campaigns import services

    return services.run_touch(interaction_id=interaction_id, touch=touch)


@task()
def check_abandonment(interaction_id: int) -> str:
    """Close an interaction whose whole cadence went unanswered."""
    from leadline.campaigns import services

    return services.check_abandonment(interaction_id=interaction_id)
