"""Peer review and self-assessment of open-ended work."""
