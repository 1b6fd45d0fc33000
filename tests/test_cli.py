"""Command-line tasks."""

import sqlalchemy as sa

from rem.accounts.models import Membership, User
from rem.extensions import db
from tests import factories


def test_users_create_makes_an_admin_who_can_sign_in(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Anna@Example.org", "--password",
                                 "een-lang-wachtwoord", "--admin", "--name", "Anna"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.is_admin and user.name == "Anna"
        assert user.password_hash != "een-lang-wachtwoord"
        assert user.check_password("een-lang-wachtwoord")
    client = app.test_client()
    from tests.conftest import login

    login(client, "anna@example.org", "een-lang-wachtwoord")
    assert client.get("/").status_code == 200


def test_users_create_refuses_duplicates_and_short_passwords(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "a@example.org", "--password",
                               "kort"]).exit_code != 0
    assert runner.invoke(args=["users", "create", "a@example.org", "--password",
                               "lang-genoeg-1"]).exit_code == 0
    result = runner.invoke(args=["users", "create", "A@example.org", "--password",
                                 "lang-genoeg-2"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_users_create_with_a_role(app):
    with app.app_context():
        factories.CollaborationFactory(slug="oegstgeest")
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "f@example.org", "--password",
                                 "lang-genoeg-1", "--role", "facilitator",
                                 "--collaboration", "oegstgeest"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        membership = db.session.scalar(sa.select(Membership))
        assert membership.role == "facilitator" and membership.collaboration_id is not None
    result = runner.invoke(args=["users", "create", "g@example.org", "--password",
                                 "lang-genoeg-1", "--role", "member",
                                 "--collaboration", "bestaat-niet"])
    assert result.exit_code != 0 and "existing collaboration" in result.output
    with app.app_context():
        # The failed command left no half-made account behind.
        assert db.session.scalar(sa.select(User).where(User.email == "g@example.org")) is None


def test_codebooks_install_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["codebooks", "install"])
    assert first.exit_code == 0 and "0 rows added" in first.output  # the fixture installed them
