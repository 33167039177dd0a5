"""Leadline: an outbound virtual agent for home-service businesses."""

__version__ = "0.1.0"
