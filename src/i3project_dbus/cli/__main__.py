"""`python -m i3project_dbus.cli`: the same as the `i3project` console script."""

import sys

from .main import main

sys.exit(main())
