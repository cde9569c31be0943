"""Shared web pieces: base template, security headers, site context."""
