"""The project name rule, on its own so that marks and windows can use it without
importing the project record (which imports launch entries, which match windows)."""

import re

NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
