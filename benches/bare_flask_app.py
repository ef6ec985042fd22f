"""The baseline of every ratio: bare Flask returning "ok"."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def ok() -> str:
    return "ok"
