"""Regional participation hubs (participatiehubs)."""
