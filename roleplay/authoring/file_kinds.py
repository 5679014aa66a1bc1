"""Which kind of authored file a path is: the one definition loader, library and validate share."""

from __future__ import annotations

import re
from pathlib import Path

# A curriculum is a file in a `curriculum` folder, or one with a top-level `levels:` key.
CURRICULUM_KEY = re.compile(r"^levels[ \t]*:", re.MULTILINE)


def is_curriculum(path: Path, text: str | None = None) -> bool:
    """Whether `path` (whose `text` may be given, already read) is a curriculum file."""
    if "curriculum" in path.parent.parts or path.absolute().parent.name == "curriculum":
        return True
    if text is None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    return CURRICULUM_KEY.search(text) is not None


def yaml_files(folder: Path) -> list[Path]:
    """Every *.yaml / *.yml under `folder`, but none in a hidden folder: `.versions/` keeps
    the editor's earlier versions of each scenario, which are not scenarios of the library."""
    return sorted(p for p in folder.rglob("*.y*ml") if p.suffix in (".yaml", ".yml") and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parent.parts))
