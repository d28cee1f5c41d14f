"""Who may send notices of their own (the compose page, ``POST /api/notices``).

Apps notify people through ``services.notify`` under their own rules; a person writing a
notice to a department, a post or a role is broadcasting, which needs ``notices.broadcast``.
No built-in role carries it: the security administrator gives it through a custom role to
those who issue notices for their unit (typically the office, 办公室). The three
administrators never get it (三权分立: they do not speak to staff through business messages).
"""

BROADCAST = "notices.broadcast"
