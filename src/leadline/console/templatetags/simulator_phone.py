"""`{% load simulator_phone %}`: whether the navigation offers the simulator phone."""

from __future__ import annotations

from typing import Any

from django import template

from leadline.console.simulator_views import simulator_available

register = template.Library()


@register.filter
def simulator_on(company: Any) -> bool:
    """True when the company's texts and calls go through the simulator provider."""
    return simulator_available(company)
