"""Which place of an event a booking gets: the lowest free one, found without loading every place."""
import itertools

import pytest

from bookings.extensions import db
from bookings.models import BookingStatus, ServiceKind
from bookings.services.availability import first_free_place, place_is_free
from tests.factories import create_booking, create_branch, create_event, create_service, soon

tokens = itertools.count()


@pytest.fixture
def event(app):
    service = create_service(kind=ServiceKind.EVENT, duration_minutes=30)
    return create_event(service=service, branch=create_branch(), starts_at=soon(days=5), capacity=4,
                        place_minutes=None)


def take(event, place, status=BookingStatus.CONFIRMED):
    return create_booking(service=event.service, branch=event.branch, event=event, starts_at=event.starts_at,
                          place_number=place, status=status, token=f"token-{next(tokens)}")


def test_places_are_handed_out_from_the_lowest(event):
    assert first_free_place(event) == 1
    take(event, 1), take(event, 2)
    assert first_free_place(event) == 3


def test_a_place_freed_by_a_cancellation_is_given_first(event):
    take(event, 1), take(event, 3)
    second = take(event, 2)
    assert first_free_place(event) == 4
    second.status = BookingStatus.CANCELLED
    db.session.commit()
    assert first_free_place(event) == 2
    assert place_is_free(event, 2) and not place_is_free(event, 3)


def test_a_full_event_has_no_place(event):
    for place in range(1, 5):
        take(event, place)
    assert first_free_place(event) is None
    assert not any(place_is_free(event, place) for place in range(0, 6))


def test_attended_and_no_show_keep_their_place_and_waiting_has_none(event):
    take(event, 1, BookingStatus.ATTENDED)
    take(event, 2, BookingStatus.NO_SHOW)
    take(event, None, BookingStatus.WAITLISTED)
    assert first_free_place(event) == 3


def test_a_smaller_capacity_is_respected(event):
    take(event, 1), take(event, 2), take(event, 4)
    event.capacity = 3  # never below what is booked (staff_events); place 4 stays
    db.session.commit()
    assert first_free_place(event) == 3
    take(event, 3)
    assert first_free_place(event) is None
