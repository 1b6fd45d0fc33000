"""The ripple log: activities, effects and the links between them."""
