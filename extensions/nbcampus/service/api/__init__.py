"""Tornado handlers: thin adapters from HTTP to the service's logic."""
