"""Clients for external systems: the only package that imports an HTTP client.

Each adapter raises typed errors that say whether a retry can help (permanent or retryable).
"""
