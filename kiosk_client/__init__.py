"""The screen side: the browser player (ES modules in player/) and the Chromium launcher."""
