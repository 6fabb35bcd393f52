"""One row that changes whenever anything the public can read changes (see services.read_cache)."""
from sqlalchemy import BigInteger, CheckConstraint, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from bookings.extensions import db


class DataVersion(db.Model):
    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # A random number, not a counter: a database restored from a backup never repeats a
    # number that meant other data before.
    token: Mapped[int] = mapped_column(BigInteger)


@event.listens_for(DataVersion.__table__, "after_create")
def _insert_the_row(table, connection, **_kw) -> None:
    # create_all (tests, a first start without migrations) gets the row the migration inserts.
    connection.execute(insert(table).values(id=1, token=0))
