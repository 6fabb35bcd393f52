"""The partner's page: counts for their referral code per month, behind a secret link. No names."""
from flask import render_template

from bookings.services.staff_referrals import find_by_partner_token
from bookings.services.staff_reports import referral_months
from bookings.staff import partner_bp


@partner_bp.get("/<token>")
def counts(token: str):
    referral = find_by_partner_token(token)
    if referral is None:
        return render_template("public/link_not_valid.html"), 404
    return render_template("staff/partner.html", referral=referral, months=referral_months(referral))


@partner_bp.after_request
def private_pages(response):
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
