"""Public pages for visitors who are not signed in, kept per data version, language and minute.

The booking pages (start, library, day, time) are the same for every anonymous visitor who asks
the same URL in the same language: they hold no form, no token and nothing personal. Such a page
is kept in services.read_cache, so a repeat costs one query and no rendering. A page that shows a
flashed message, is asked by someone signed in, or generates a CSRF token is never kept.
"""
import functools

from flask import g, request, session
from flask_login import current_user

from bookings.i18n import current_language
from bookings.services import read_cache
from bookings.services.availability import listing_instant


def cached_page(view):
    @functools.wraps(view)
    def serve(**kwargs):
        if current_user.is_authenticated or session.get("_flashes"):
            return view(**kwargs)
        # The minute belongs in the key: the pages list free times as of listing_instant().
        key = ("page", request.endpoint, request.full_path, current_language(), listing_instant())
        snapshot = read_cache.snapshot()
        page = snapshot.get(key)
        if page is None:
            page = view(**kwargs)
            if isinstance(page, str) and "csrf_token" not in g:  # a 200 page, not a redirect or error
                snapshot.put(key, page)
        return page

    return serve
