"""Webhooks out: signed deliveries of interaction events to the endpoints a company registers."""
