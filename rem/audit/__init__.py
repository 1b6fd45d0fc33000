"""The history of every change: who, when, and what it was before and after."""
