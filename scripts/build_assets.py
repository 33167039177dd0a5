"""Copy the pinned front-end packages from node_modules into the console's static folder."""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "leadline" / "console" / "static" / "vendor"
FILES = {
    "node_modules/htmx.org/dist/htmx.min.js": "htmx.min.js",
}


def main() -> int:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in FILES.items():
        path = ROOT / source
        if not path.exists():
            print(f"missing {source}: run `npm ci` first", file=sys.stderr)
            return 1
        shutil.copyfile(path, VENDOR / target)
    print(f"copied {len(FILES)} front-end files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
