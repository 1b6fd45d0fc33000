"""Live evaluation sessions: join codes, stories from phones, inbox, projector, report."""
