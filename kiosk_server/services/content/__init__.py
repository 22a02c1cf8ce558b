"""What officers write and approve: notices, playlists, media, links, categories, and the one approval workflow."""
