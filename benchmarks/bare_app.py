"""The floor of a page: a one-route Flask app, run by `make bench` under the same gunicorn
settings as rem (not a route of rem, which carries rem's own request hooks)."""

from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    """Answer with a short text, as the smallest useful page does."""
    return "ok\n"
