"""Application-wide infrastructure: database base, dates, Markdown, security."""
