"""The workbench's pages show the platform's to-do list: its tests' processes and people serve here too."""

from zhengtong.platform.todo.tests.conftest import committed, english, people, start  # noqa: F401  (fixtures)
