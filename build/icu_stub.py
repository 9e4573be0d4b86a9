"""Qt's ICU data (31 MB of the Linux bundle) swapped for ICU's empty "stub" data package.

libQt6Core links to ICU for four things only: locale-aware case mapping (whose tables are
compiled into libicuuc, not the data library), QCollator, legacy text codecs and time-zone
display names. The app uses no codec but UTF-8 and no time-zone names. QCollator sorts the
files in Qt's own file dialog: without data it warns once ("Could not create collator") and
compares the names as plain strings. So the bundle ships a libicudata with the same name and
symbol (`icudt<major>_dat`) holding an ICU common-data package with no entries, the layout ICU's
own `stubdata` library has; ICU then looks for data files (ICU_DATA) and, finding none, reports
a missing resource to the caller, which Qt handles.

It needs a C compiler (`cc`); without one the real data stays and this says so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# The package header (struct MappedData + UDataInfo in ICU's udata: 32 bytes, magic 0xda27,
# format "CmnD" 1.0, this machine's byte order, ASCII, 2-byte UChar), then an empty table of
# contents: entry count 0, and one zero entry.
STUB_C = """\
#include <stdint.h>
struct icu_stub {
    uint16_t header_size; uint8_t magic1, magic2;
    uint16_t info_size, info_reserved;
    uint8_t big_endian, charset_family, sizeof_uchar, reserved;
    uint8_t data_format[4], format_version[4], data_version[4];
    uint8_t padding[8];
    uint32_t count, reserved2, toc[4];
};
__attribute__((visibility("default"), aligned(16)))
const struct icu_stub icudt%(major)s_dat = {
    32, 0xda, 0x27,
    20, 0,
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__, 0, 2, 0,
    {0x43, 0x6d, 0x6e, 0x44}, {1, 0, 0, 0}, {0, 0, 0, 0},
    {0},
    0, 0, {0, 0, 0, 0},
};
"""


def stub_icu_data(bundle: Path) -> int:
    """Replace the bundle's libicudata.so.<major> with the stub; return the bytes saved."""
    libs = [p for p in (bundle / "_internal").rglob("libicudata.so.*")
            if not p.is_symlink() and re.fullmatch(r"libicudata\.so\.\d+", p.name)]
    if not libs:
        return 0
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        print("note: no C compiler (cc), so the bundle keeps ICU's full data "
              f"({sum(p.stat().st_size for p in libs) / 2**20:.0f} MiB)")
        return 0
    saved = 0
    for lib in libs:
        major = lib.name.rsplit(".", 1)[1]
        with tempfile.TemporaryDirectory() as tmp:
            source, built = Path(tmp) / "icudata_stub.c", Path(tmp) / lib.name
            source.write_text(STUB_C % {"major": major})
            subprocess.run([cc, "-shared", "-fPIC", "-O2", "-s", f"-Wl,-soname,{lib.name}",
                            "-o", str(built), str(source)], check=True)
            before = lib.stat().st_size
            shutil.copyfile(built, lib)
            saved += before - lib.stat().st_size
    return saved
