"""Where browser tests save their screenshots.

By default under var/ (never in the working tree), so a test run leaves `git status` clean;
`make screenshots` sets KAWO_SCREENSHOT_DIR=docs/screenshots to refresh the README's pictures.
"""

import os
from pathlib import Path

from django.conf import settings

SCREENSHOTS = Path(os.environ.get("KAWO_SCREENSHOT_DIR") or Path(settings.VAR_DIR) / "screenshots")
