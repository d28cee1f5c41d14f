"""Notices are deliberately not in the back office.

Who was sent what and who read it is the message audit, the audit administrator's alone
(三权分立); listing notices here would show it to the system administrator. Sending,
recalling and reading go through ``services`` (audited, published to devices).
"""
