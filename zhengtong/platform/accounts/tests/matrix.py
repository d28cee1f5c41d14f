"""Permission matrix rows for accounts: sign-in is public; everything else is the person's own."""

from zhengtong.testing.matrix import ANY_SIGNED_IN, IN, PASSWORD, Row, expect

NEW_PASSWORD = "Zt-Matrix-Next-2026?"
OWN_ONLY = expect(404, author=302)  # another person's session or token does not exist for you
OWN_ONLY_API = expect(404, author=204)

ROWS = [
    Row("GET", "/accounts/sign-in/", expect(200, anonymous=200)),
    Row("POST", "/accounts/sign-in/", expect(302, anonymous=302), data={"username": "author", "password": PASSWORD}),
    # Without a pending second factor there is nothing to verify: back to the sign-in page.
    Row("GET", "/accounts/sign-in/verify/", expect(302, anonymous=302)),
    Row("POST", "/accounts/sign-in/verify/", expect(302, anonymous=302), data={"code": "123456"}),
    Row("POST", "/accounts/sign-out/", expect(302, anonymous=302)),
    Row("GET", "/accounts/two-factor/", ANY_SIGNED_IN),
    Row("POST", "/accounts/two-factor/", expect(200), data={"code": "000000"}),  # a wrong code: the form says so
    Row("POST", "/accounts/two-factor/recovery-codes/", expect(302), data={"code": "000000"}),
    Row("POST", "/accounts/two-factor/disable/", expect(302), data={"code": "000000"}),
    Row("GET", "/accounts/password/", ANY_SIGNED_IN),
    Row("POST", "/accounts/password/", expect(302),
        data={"old_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
    Row("GET", "/accounts/sessions/", ANY_SIGNED_IN),
    Row("POST", "/accounts/sessions/{w.devices[author].pk}/end/", OWN_ONLY),
    Row("POST", "/accounts/sessions/end-others/", expect(302)),
    Row("POST", "/accounts/sessions/end-all/", expect(302)),
    Row("GET", "/accounts/tokens/", ANY_SIGNED_IN),
    Row("POST", "/accounts/tokens/", expect(200), data={"name": "报表程序", "scopes": ["read"], "days": 30}),
    Row("POST", "/accounts/tokens/{w.tokens[author].pk}/revoke/", OWN_ONLY),
    Row("GET", "/api/accounts/me", ANY_SIGNED_IN),
    Row("GET", "/api/accounts/tokens", ANY_SIGNED_IN),
    # A token cannot mint tokens (a stolen one would prolong itself): only the signed-in browser can.
    Row("POST", "/api/accounts/tokens", expect(IN), data={"name": "报表程序", "scopes": ["read"], "days": 30}),
    Row("POST", "/api/accounts/tokens", expect(201), data={"name": "报表程序", "scopes": ["read"], "days": 30}, browser=True),
    Row("DELETE", "/api/accounts/tokens/{w.tokens[author].pk}", OWN_ONLY_API),
    Row("GET", "/api/accounts/sessions", ANY_SIGNED_IN),
    Row("DELETE", "/api/accounts/sessions/{w.devices[author].pk}", OWN_ONLY_API, browser=True),
    Row("POST", "/api/accounts/sessions/end-others", ANY_SIGNED_IN),
]
