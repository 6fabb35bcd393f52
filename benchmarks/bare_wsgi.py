"""The ceiling for bench_http.py: a bare Flask route under the same gunicorn settings.

Not part of the product. `gunicorn -w 4 benchmarks.bare_wsgi:app` answers "ok" without a database,
templates or extensions: what a request costs before the application does anything.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def bare():
    return "ok"
