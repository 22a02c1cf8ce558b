"""Upstream information sources: feeds and CAP polled, their bulletins turned into notices and alerts."""
