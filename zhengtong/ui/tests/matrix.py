"""Permission matrix rows for the shell: the tabs and the app list are every signed-in person's."""

from zhengtong.testing.matrix import ANY_SIGNED_IN, Row, expect

# The system administrator keeps the directory; the security and audit administrators have no use for it.
DIRECTORY_READERS = expect(200, secadmin=403, auditor=403)

ROWS = [
    Row("GET", "/messages/", ANY_SIGNED_IN),
    Row("GET", "/apps/", ANY_SIGNED_IN),
    Row("GET", "/contacts/", DIRECTORY_READERS),
    Row("GET", "/contacts/?q=李处长", DIRECTORY_READERS),
    Row("GET", "/me/", ANY_SIGNED_IN),
    Row("GET", "/api/apps", ANY_SIGNED_IN),
]
