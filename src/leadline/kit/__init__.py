"""Small helpers shared by every app; imports nothing from the domain."""
