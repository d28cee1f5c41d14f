"""Permission matrix rows for access: the security administrator's console, nobody else's (三权分立)."""

from typing import Any

from zhengtong.testing.matrix import Row, World, only

SECADMIN = only("secadmin")
SECADMIN_DONE = only("secadmin", status=302)


def build(world: World) -> None:
    """A custom role to assign, and a grant (the clerk may see the author's profile) to revoke."""
    from zhengtong.platform.access import services
    from zhengtong.platform.access.models import Role

    world.duty_role = Role.objects.create(code="duty_officer", name="值班员", permissions=["staff.use_apps"])
    world.grant = services.grant(acting_user=world.people["secadmin"], user=world.people["clerk"], action="directory.view",
                                 obj=world.people["author"])


def _new_role(world: Any) -> dict[str, Any]:
    return {"code": "flood_watch", "name": "防汛值守", "description": "汛期值守", "permissions": ["staff.use_apps"]}


ROWS = [
    Row("GET", "/security/", SECADMIN),
    Row("GET", "/security/people/{w.people[author].pk}/", SECADMIN),
    Row("POST", "/security/people/{w.people[author].pk}/roles/", SECADMIN_DONE, data={"role": "duty_officer"}),
    Row("POST", "/security/people/{w.people[author].pk}/roles/staff/revoke/", SECADMIN_DONE),
    Row("POST", "/security/people/{w.people[author].pk}/clearance/", SECADMIN_DONE, data={"rank": 2}),
    Row("GET", "/security/roles/", SECADMIN),
    Row("GET", "/security/roles/new/", SECADMIN),
    Row("POST", "/security/roles/new/", SECADMIN_DONE, data=_new_role),
    Row("GET", "/security/roles/duty_officer/", SECADMIN),
    Row("POST", "/security/roles/duty_officer/", SECADMIN_DONE, data={"name": "值班员（汛期）", "permissions": ["staff.use_apps"]}),
    Row("GET", "/security/levels/", SECADMIN),
    # This deployment allows two levels above 公开 (ZT_MAX_CLASSIFICATION): the form says so.
    Row("POST", "/security/levels/", only("secadmin", status=400), data={"name": "机密", "description": "涉密"}),
    Row("POST", "/security/levels/2/", SECADMIN_DONE, data={"name": "敏感信息", "description": ""}),
    Row("GET", "/security/grants/", SECADMIN),
    Row("POST", "/security/grants/{w.grant.pk}/revoke/", SECADMIN_DONE),
    Row("GET", "/security/policy/", SECADMIN),
    Row("GET", "/api/access/roles", SECADMIN),
    Row("GET", "/api/access/people", SECADMIN),
    Row("POST", "/api/access/people/{w.people[author].pk}/roles", only("secadmin", status=201), data={"role": "duty_officer"}),
    Row("DELETE", "/api/access/people/{w.people[author].pk}/roles/staff", only("secadmin", status=204)),
    Row("PUT", "/api/access/people/{w.people[author].pk}/clearance", SECADMIN, data={"rank": 2}),
    Row("GET", "/api/access/levels", SECADMIN),
    Row("POST", "/api/access/levels", only("secadmin", status=409), data={"name": "机密", "description": "涉密"}),
    Row("PATCH", "/api/access/levels/2", SECADMIN, data={"name": "敏感信息"}),
    Row("GET", "/api/access/policy", SECADMIN),
]
