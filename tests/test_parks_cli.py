"""Setting up a region, its parks and their administrators from the command line."""

from __future__ import annotations

from sqlmodel import select

from inspection.auth.models import User
from inspection.parks.models import Park
from inspection.parks.models import Region


def test_a_region_its_parks_and_admins_are_set_up_from_the_command_line(app, make):
    runner = app.test_cli_runner()

    def run(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    assert run("setup-region", "--name", "青溪县", "--authority", "青溪县应急管理局").exit_code == 0
    result = run(
        "setup-park",
        "--name",
        "青溪经济开发区",
        "--notice-prefix",
        "青开安环整改",
        "--region",
        "青溪县",
    )
    assert result.exit_code == 0, result.output
    result = run(
        "setup-park", "--name", "白沙湾化工园区", "--notice-prefix", "白化", "--region", "青溪县"
    )
    assert result.exit_code == 0, result.output
    # The same park twice, or a region that does not exist, is refused with what to do.
    again = run("setup-park", "--name", "青溪经济开发区", "--notice-prefix", "x")
    assert again.exit_code != 0 and "already set up" in again.output
    unknown = run("setup-park", "--name", "外园", "--notice-prefix", "x", "--region", "外县")
    assert unknown.exit_code != 0 and "setup-region" in unknown.output
    # One region: an administrator without --park is the bureau's; with --park, the park's.
    password = "a-Long-passw0rd-9\na-Long-passw0rd-9\n"
    assert run("create-admin", "county", input=password).exit_code == 0
    result = run("create-admin", "qx_admin", "--park", "青溪经济开发区", input=password)
    assert result.exit_code == 0, result.output
    with make.session() as s:
        region = s.exec(select(Region)).one()
        park = s.exec(select(Park).where(Park.name == "青溪经济开发区")).one()
        county = s.exec(select(User).where(User.username == "county")).one()
        qx_admin = s.exec(select(User).where(User.username == "qx_admin")).one()
        assert park.region_id == region.id and park.authority == "青溪经济开发区管理委员会"
    assert (county.region_id, county.park_id) == (region.id, None)
    assert (qx_admin.park_id, qx_admin.region_id) == (park.id, None)
