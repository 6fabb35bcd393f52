"""Public pages: one question per page, service → branch → day → time → details → check → done."""
from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select

from bookings.extensions import db, limiter
from bookings.i18n import current_language, topic_label
from bookings.messages import error_message, field_message
from bookings.models import Branch, Service
from bookings.page_cache import cached_page
from bookings.public import bp
from bookings.public.choices import day_links, time_links
from bookings.public.forms import ConfirmForm, DetailsForm
from bookings.services import availability
from bookings.services.booking import ResidentDetails, book_slot
from bookings.services.errors import DomainError, Invalid
from bookings.services.manage import find_booking_by_token
from bookings.services.timezones import local_date

FLOW = "booking_flow"  # the answers so far, kept in the signed session cookie until booked


@bp.before_app_request
def remember_referral():
    """A partner's link (?ref=CODE) marks the booking that follows, for their counts."""
    code = request.args.get("ref", "")
    if code and len(code) <= 32 and code.replace("-", "").isalnum():
        session["referral"] = code.upper()


@bp.get("/")
@cached_page
def index():
    services = db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.id))
    return render_template("public/index.html", services=list(services))


@bp.get("/book/<service_slug>")
@cached_page
def choose_branch(service_slug: str):
    service = _service_or_404(service_slug)
    branches = list(db.session.scalars(select(Branch).order_by(Branch.name)))
    return render_template("public/choose_branch.html", service=service, branches=branches)


@bp.get("/book/<service_slug>/<branch_slug>")
@cached_page
def choose_day(service_slug: str, branch_slug: str):
    service, branch = _service_or_404(service_slug), _branch_or_404(branch_slug)
    today = local_date(availability.listing_instant(), branch.timezone)
    slots = availability.list_slots(service, branch=branch, first_day=today,
                                    last_day=today + timedelta(days=service.horizon_days))
    days = day_links(slots, lambda day: url_for(".choose_time", service_slug=service.slug,
                                                branch_slug=branch.slug, day=day.isoformat()))
    first = time_links(slots[:1], _details_href)
    return render_template("public/choose_day.html", service=service, branch=branch, days=days,
                           first=first[0] if first else None,
                           back_url=url_for(".choose_branch", service_slug=service.slug))


@bp.get("/book/<service_slug>/<branch_slug>/<day>")
@cached_page
def choose_time(service_slug: str, branch_slug: str, day: str):
    service, branch = _service_or_404(service_slug), _branch_or_404(branch_slug)
    try:
        chosen_day = date.fromisoformat(day)
    except ValueError:
        abort(404)
    slots = availability.list_slots(service, branch=branch, first_day=chosen_day, last_day=chosen_day)
    return render_template("public/choose_time.html", service=service, branch=branch, day=chosen_day,
                           times=time_links(slots, _details_href),
                           back_url=url_for(".choose_day", service_slug=service.slug, branch_slug=branch.slug))


@bp.route("/book/details", methods=["GET", "POST"])
def details():
    slot_id = request.args.get("slot", "")
    slot = availability.find_slot(slot_id)
    if slot is None:
        flash(error_message("not_found"), "error")
        return redirect(url_for(".index"))
    answers = session.get(FLOW, {}) if session.get(FLOW, {}).get("slot") == slot_id else {}
    topics = [(t["key"], topic_label(slot.service, t["key"])) for t in slot.service.topics]
    form = DetailsForm(data=answers, topics=topics)
    if form.validate_on_submit():
        clean = form.cleaned
        session[FLOW] = {"slot": slot_id, "first_name": clean.first_name, "email": clean.email,
                         "phone": clean.phone, "topic": clean.topic, "notes": clean.notes}
        return redirect(url_for(".check"))
    return render_template("public/details.html", form=form, slot=slot, back_url=_day_url(
        slot.service, slot.branch, slot.start))


@bp.route("/book/check", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def check():
    answers = session.get(FLOW)
    if answers is None:
        return redirect(url_for(".index"))
    slot = availability.find_slot(answers["slot"])
    if slot is None:
        return _slot_gone(answers["slot"], "slot_taken")
    form = ConfirmForm()
    if form.validate_on_submit():
        details = ResidentDetails(first_name=answers["first_name"], email=answers["email"],
                                  phone=answers["phone"], topic=answers["topic"], notes=answers.get("notes"),
                                  language=current_language(), referral_code=session.get("referral"))
        try:
            result = book_slot(slot_id=answers["slot"], details=details)
        except Invalid as error:
            flash(field_message(next(iter(error.fields.values()), "required")), "error")
            return _slot_gone(answers["slot"], None)
        except DomainError as error:
            return _slot_gone(answers["slot"], error.code)
        session.pop(FLOW, None)
        return redirect(url_for(".confirmed", reference=result.booking.reference, token=result.token))
    return render_template("public/check.html", form=form, slot=slot, answers=answers)


@bp.get("/manage/<reference>/<token>/done")
def confirmed(reference: str, token: str):
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return render_template("public/link_not_valid.html"), 404
    return render_template("public/confirmed.html", booking=booking, token=token)


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html", retention_days=current_app.config["RETENTION_DAYS"])


@bp.get("/language/<code>")
def switch_language(code: str):
    if code in ("nl", "en"):
        session["language"] = code
    target = request.args.get("next", "")
    # Only paths on this site: never an open redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for(".index")
    return redirect(target)


def _details_href(slot: availability.OpenSlot) -> str:
    return url_for(".details", slot=slot.id)


def _slot_gone(slot_id: str, code: str | None):
    """Back to the times of the same day, with the reason and the other free times."""
    if code:
        flash(error_message(code), "error")
    gone = availability.describe_slot_id(slot_id)
    if gone is None:
        return redirect(url_for(".index"))
    return redirect(_day_url(*gone))


def _day_url(service: Service, branch: Branch, start) -> str:
    return url_for(".choose_time", service_slug=service.slug, branch_slug=branch.slug,
                   day=local_date(start, branch.timezone).isoformat())


def _service_or_404(slug: str) -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == slug, Service.active.is_(True)))
    if service is None:
        abort(404)
    return service


def _branch_or_404(slug: str) -> Branch:
    branch = db.session.scalar(select(Branch).where(Branch.slug == slug))
    if branch is None:
        abort(404)
    return branch
