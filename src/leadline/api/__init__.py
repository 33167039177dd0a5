"""The public JSON API at /api/v1/ (django-ninja): API tokens and the operations."""
