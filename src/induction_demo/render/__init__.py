"""Renderers: each takes a Trace and formats it; none computes a number."""
