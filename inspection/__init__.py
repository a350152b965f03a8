"""园区安全环保检查闭环系统: the web application."""

from __future__ import annotations

import os

from flask import Flask

from inspection import clock


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("INSPECTION_INSTANCE_PATH") or None,
        template_folder="../templates",
    )
    from inspection import config

    config.load(app, test_config)
    clock.set_timezone(app.config["TIMEZONE"])

    from inspection import assets
    from inspection import db
    from inspection import errors
    from inspection import i18n
    from inspection import web
    from inspection.auth import init_app as init_auth
    from inspection.parks import init_app as init_parks
    from inspection.statistics import standing

    db.init_app(app)
    standing.install()
    i18n.init_app(app)
    web.init_app(app)
    assets.init_app(app)
    init_auth(app)
    init_parks(app)
    errors.init_app(app)

    from inspection.api.views import bp as api_bp
    from inspection.assignments.views import bp as assignments_bp
    from inspection.auth.views import bp as auth_bp
    from inspection.campaigns.recurring_views import bp as recurring_bp
    from inspection.campaigns.views import bp as campaigns_bp
    from inspection.checklists.views import bp as checklists_bp
    from inspection.dashboard.views import bp as dashboard_bp
    from inspection.draws.views import bp as draws_bp
    from inspection.enterprises.views import bp as enterprises_bp
    from inspection.evidence.views import bp as evidence_bp
    from inspection.field.views import bp as field_bp
    from inspection.filings.views import bp as filings_bp
    from inspection.hazards.views import bp as hazards_bp
    from inspection.health.views import bp as health_bp
    from inspection.inspections.views import bp as inspections_bp
    from inspection.national.views import bp as national_bp
    from inspection.notifications.admin import bp as notification_admin_bp
    from inspection.notifications.views import bp as notifications_bp
    from inspection.parks.views import bp as parks_bp
    from inspection.portal.views import bp as portal_bp
    from inspection.programme.views import bp as programme_bp
    from inspection.reminders.views import bp as reminders_bp
    from inspection.reports.views import bp as reports_bp
    from inspection.risk.views import bp as risk_bp
    from inspection.security.views import bp as security_bp
    from inspection.users.views import bp as users_bp
    from inspection.verification.views import bp as verification_bp

    for blueprint in (
        api_bp,
        assignments_bp,
        auth_bp,
        campaigns_bp,
        checklists_bp,
        dashboard_bp,
        draws_bp,
        enterprises_bp,
        evidence_bp,
        field_bp,
        filings_bp,
        hazards_bp,
        health_bp,
        inspections_bp,
        national_bp,
        notification_admin_bp,
        notifications_bp,
        parks_bp,
        portal_bp,
        programme_bp,
        recurring_bp,
        reminders_bp,
        reports_bp,
        risk_bp,
        security_bp,
        users_bp,
        verification_bp,
    ):
        app.register_blueprint(blueprint)

    from inspection import cli

    cli.init_app(app)
    return app
