# The permission matrix's world: one realistic 市水务局 per module, rolled back at its end.
from tests.matrix.conftest import world  # noqa: F401
