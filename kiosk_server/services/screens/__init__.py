"""Screens: kiosks and their pairing, presence and uptime, which screen gets what (targeting), and the one publish path."""
