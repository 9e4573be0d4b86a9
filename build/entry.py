"""The bundle's entry script: the same `main()` as the `faktory-desktop` console script.

A separate file rather than faktory_desktop/__main__.py, because PyInstaller puts the entry
script's folder on its search path, and the package's own folder there would let its modules
(`config`, `server`, `ui`, ...) shadow top-level names.
"""

import sys

from faktory_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
