"""Read models across features: a screen's manifest, the editors' previews, the dashboard's attention, the lookup by id."""
