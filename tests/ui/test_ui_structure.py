"""The ui packages import one another without cycles, and the tile offers only the protocol
entries the dialogs can build.

Shared parts (`ui/dialogs.py`, `ui/theme.py`) sit below the feature packages (`ui/room/`,
`ui/alarms/` …), so a feature never reaches back into a package that uses it. The import graph
is read from the source with `ast`, without importing anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"


def _unit(module: str) -> str | None:
    """The ui package or top-level module that `module` belongs to (`ui.room.tile` →
    `ui.room`, `ui.dialogs` → itself); None outside ui or when nothing is there."""
    parts = module.split(".")
    if parts[0] != "ui" or len(parts) < 2:
        return None
    if (UI / parts[1]).is_dir() or (UI / f"{parts[1]}.py").is_file():
        return f"ui.{parts[1]}"
    return None


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _imported(path: Path) -> set[str]:
    """Every module name an import in `path` may refer to, function-level imports included."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            # `from ui import theme` names the module in the imported name.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def ui_import_graph() -> dict[str, dict[str, set[str]]]:
    """unit → {unit it imports → the modules whose imports make that edge}."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted(UI.rglob("*.py")):
        module = _module_name(path)
        source = _unit(module)
        if source is None:  # ui/__init__.py belongs to no feature
            continue
        graph.setdefault(source, {})
        for name in _imported(path):
            target = _unit(name)
            if target is not None and target != source:
                graph[source].setdefault(target, set()).add(module)
    return graph


def find_cycle(edges: dict[str, set[str] | dict]) -> list[str] | None:
    """One cycle as a path that ends where it starts, or None when there is none."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return visiting[visiting.index(node) :] + [node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(edges.get(node, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for start in sorted(edges):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


def test_the_graph_reads_the_imports_it_should():
    """Without this, an empty graph would pass the cycle test while proving nothing."""
    graph = ui_import_graph()
    assert "ui.room.participant_dialogs" in graph["ui.room"]["ui.dialogs"]
    assert "ui.main_window" in graph["ui.main_window"]["ui.theme"]  # `from ui import theme`
    assert {"ui.room", "ui.alarms", "ui.protocol", "ui.circle", "ui.music"} <= set(graph)
    assert find_cycle({"ui.a": {"ui.b"}, "ui.b": {"ui.c"}, "ui.c": {"ui.a"}}) == [
        "ui.a",
        "ui.b",
        "ui.c",
        "ui.a",
    ]
    assert find_cycle({"ui.a": {"ui.b"}, "ui.b": set()}) is None


def test_no_two_ui_packages_import_each_other():
    graph = ui_import_graph()
    cycle = find_cycle(graph)
    if cycle:
        steps = [
            f"{a} → {b} (in {', '.join(sorted(graph[a][b]))})" for a, b in zip(cycle, cycle[1:])
        ]
        raise AssertionError(
            "import cycle among ui packages; move the shared part to "
            "ui/dialogs.py or a module both may import:\n  " + "\n  ".join(steps)
        )


def test_shared_dialog_parts_import_no_feature_package():
    assert ui_import_graph()["ui.dialogs"] == {}


def test_the_tile_offers_exactly_the_entries_the_dialogs_build(qtbot):
    from groupkap.room.model import Participant, Seat
    from groupkap.settings import Settings
    from ui.protocol.dialogs import ENTRIES
    from ui.room.tile import SeatTile

    tile = SeatTile(Seat(1, 0, 0), Settings())
    qtbot.addWidget(tile)
    tile.bind(Participant("A.B.", 1))
    offered: set[str] = set()
    tile.protocol_requested.connect(lambda _pid, action, _value: offered.add(action))
    menus = [tile.entry_button.menu()]
    while menus:
        for action in menus.pop().actions():
            if action.menu() is not None:
                menus.append(action.menu())
            elif not action.isSeparator():
                action.trigger()
    assert offered == set(ENTRIES)
