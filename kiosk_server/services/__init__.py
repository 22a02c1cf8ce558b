"""Use cases that change state. Each validates fully before it writes, and writes in one commit."""
