"""Baseline for the registration bench: a POST that inserts one row into PostgreSQL and commits."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


# As in eventhub.extensions: type checkers see the typed declarative base behind db.Model.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


class BenchRow(Model):
    __tablename__ = "bench_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
db.init_app(app)


@app.post("/insert")
def insert_one() -> tuple[str, int]:
    db.session.add(BenchRow(email=request.form.get("email", ""), created_at=datetime.now(UTC)))
    db.session.commit()
    return "created", 201
