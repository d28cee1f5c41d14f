"""What accounts tells the rest of the platform, without importing it."""

from django.dispatch import Signal

# Every session of a person ended at once (signed out everywhere, or the account disabled), inside
# that service's transaction; arguments: ``user`` and ``acting_user`` (who did it). What else the person is signed in to through this
# platform (single sign-on's relying parties) ends with them.
signed_out_everywhere = Signal()
