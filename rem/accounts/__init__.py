"""People, their sign-in and their roles in hubs and collaborations."""
