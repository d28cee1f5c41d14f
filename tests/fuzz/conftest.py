from django.conf import settings
from hypothesis.configuration import set_hypothesis_home_dir

# The permission matrix's world: one realistic 市水务局 per module, rolled back at its end.
from tests.matrix.conftest import world  # noqa: F401

# Hypothesis keeps no example database here (database=None) but caches what it reads of the source;
# that goes under var/ with the other run-time files, not into the working tree.
set_hypothesis_home_dir(settings.VAR_DIR / "hypothesis")
