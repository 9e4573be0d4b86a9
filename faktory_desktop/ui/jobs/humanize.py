"""The UI's name for `core.humanize`, which moved to core so the Web UI shares it."""

from faktory_desktop.core.humanize import INVALID as INVALID
from faktory_desktop.core.humanize import ago as ago
from faktory_desktop.core.humanize import count as count
from faktory_desktop.core.humanize import local_time as local_time
from faktory_desktop.core.humanize import place as place
from faktory_desktop.core.humanize import rss as rss
from faktory_desktop.core.humanize import span as span
from faktory_desktop.core.humanize import stamp as stamp
from faktory_desktop.core.humanize import stamp_ns as stamp_ns
from faktory_desktop.core.humanize import when as when
