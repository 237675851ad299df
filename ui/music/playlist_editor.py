"""The playlist editor: build each phase's playlist from the library, reorder it, save it.

Playlists are M3U8 files in the clinic's playlists folder, named after the phase they serve
(`calm`, `rising`, `peak`, `return`, or a section's own name such as `onset`); a saved list
replaces the demo's for that phase from the next session. Any M3U/M3U8 can be imported.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupkap.errors import GroupKapError
from groupkap.music.library import Playlist, Track, scan
from groupkap.music.playlist_files import read_m3u, save_m3u
from groupkap.music.room_music import playlists_folder
from ui import theme

PHASE_NAMES = (
    "calm",
    "rising",
    "peak",
    "return",
    "pre-onset",
    "onset",
    "build",
    "soothing",
    "calm-final",
)


# Room for "artist - title (m:ss)" at 16 px in each list, the buttons beside them, and the
# dialog still inside a 1280×800 screen with its title bar and a task bar.
PREFERRED = QSize(1180, 640)
LIST_MIN_WIDTH = 380


def fitted_size(available: QSize) -> QSize:
    """The editor's opening size: PREFERRED at the clinic's scale, or 95 % of the screen's
    free area where that is smaller (a 1280×800 laptop keeps its title bar in view)."""
    return QSize(
        min(theme.px(PREFERRED.width()), int(available.width() * 0.95)),
        min(theme.px(PREFERRED.height()), int(available.height() * 0.95)),
    )


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _track_list(tip: str) -> QListWidget:
    """A list that elides a long title (its tooltip has the whole path) instead of scrolling
    sideways, and never gets too narrow to read one."""
    view = QListWidget()
    view.setToolTip(tip)
    view.setMinimumWidth(theme.px(LIST_MIN_WIDTH))
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    return view


def _button(text: str, tip: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setAutoDefault(False)  # Enter in a list acts on the list, never on a button
    button.clicked.connect(slot)
    return button


class PlaylistEditor(QDialog):
    """Library on the left, the chosen phase's playlist on the right.

    Attributes:
        library: the tracks found in the library folders.
        playlist: the playlist being edited.
        folder: where playlists are saved.
        library_list, tracks: the two lists; phase: the phase whose playlist is edited.
        buttons: by their text ("Add →", "Up", … "Save", "Close").
    """

    def __init__(
        self,
        library_folders: list[Path],
        start_from: dict[str, Playlist],
        folder: Path | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Playlists")
        self.folder = folder or playlists_folder()
        self._start_from = start_from
        found = scan(library_folders)  # the chime and alarm sounds are never offered
        self.library: list[Track] = list(found.tracks)
        self.library_list = _track_list("The music found in the library folders")
        for track in self.library:
            item = QListWidgetItem(f"{track.label}  ({_minutes(track.duration_s)})")
            item.setToolTip(str(track.path))
            self.library_list.addItem(item)
        # Enter or a double click on a library piece adds it: the keyboard is enough.
        self.library_list.itemActivated.connect(lambda _item: self.add_selected())
        self.phase = QComboBox()
        self.phase.addItems(list(PHASE_NAMES))
        self.phase.setToolTip("The phase of the session this playlist plays in")
        self.phase.currentTextChanged.connect(self._on_phase_changed)
        self.tracks = _track_list("This phase's playlist, in playing order")
        self.total = QLabel("")
        self.total.setToolTip("How long this playlist plays before it starts again")
        self.message = QLabel("; ".join(found.problems[:3]))
        self.message.setWordWrap(True)
        self.buttons = {
            text: _button(text, tip, slot)
            for text, tip, slot in (
                (
                    "Add →",
                    "Add the chosen piece to the end of this playlist (Enter)",
                    self.add_selected,
                ),
                ("Up", "Play the chosen piece earlier", lambda: self.move_selected(-1)),
                ("Down", "Play the chosen piece later", lambda: self.move_selected(1)),
                ("Remove", "Take the chosen piece out of this playlist", self.remove_selected),
                ("Import M3U…", "Replace this list by an M3U/M3U8 playlist file", self._import),
                ("Export M3U…", "Write this list to an M3U8 file elsewhere", self._export),
                ("Save", "Save this phase's list; it plays from the next session", self.save),
                ("Close", "Close the editor; what is not saved is dropped (Esc)", self.reject),
            )
        }
        self._lay_out(f"Library · {len(self.library)} pieces")
        self.playlist = Playlist("calm")
        self._on_phase_changed(self.phase.currentText())
        self.resize(fitted_size(self.screen().availableGeometry().size()))

    def _lay_out(self, library_title: str) -> None:
        b = self.buttons
        phase_row = QHBoxLayout()
        phase_row.addWidget(QLabel("Playlist for"))
        phase_row.addWidget(self.phase, 1)
        phase_row.addWidget(self.total)
        moves = QVBoxLayout()
        for text in ("Up", "Down", "Remove"):
            moves.addWidget(b[text])
        moves.addStretch(1)
        lists = QGridLayout()  # the two lists side by side, their tops level
        lists.addWidget(QLabel(library_title), 0, 0)
        lists.addLayout(phase_row, 0, 2)
        lists.addWidget(self.library_list, 1, 0)
        lists.addWidget(b["Add →"], 1, 1)
        lists.addWidget(self.tracks, 1, 2)
        lists.addLayout(moves, 1, 3)
        lists.setColumnStretch(0, 1)
        lists.setColumnStretch(2, 1)
        lists.setRowStretch(1, 1)
        files = QHBoxLayout()
        files.addWidget(b["Import M3U…"])
        files.addWidget(b["Export M3U…"])
        files.addStretch(1)
        files.addWidget(b["Save"])
        files.addWidget(b["Close"])
        layout = QVBoxLayout(self)
        layout.addLayout(lists, 1)
        layout.addWidget(self.message)
        layout.addLayout(files)
        # Tab follows the work: phase, library, add, the list, its moves, then the files.
        order = [self.phase, self.library_list, b["Add →"], self.tracks]
        order += [b[t] for t in ("Up", "Down", "Remove", "Import M3U…", "Export M3U…")]
        order += [b["Save"], b["Close"]]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    def _on_phase_changed(self, name: str) -> None:
        saved = self.folder / f"{name}.m3u8"
        base = self._start_from.get(name)
        self.playlist = Playlist(name, list(base.tracks) if base else [])
        self.message.setText("")
        if saved.exists():
            try:
                loaded = read_m3u(saved)
            except GroupKapError as exc:  # the room leaves it out too: say so, start afresh
                self.message.setText(f"saved list not used: {exc}; saving replaces it")
            else:
                self.playlist = loaded.playlist
                self._say_left_out(loaded.left_out)
        self.playlist.name = name
        self._show()

    def _say_left_out(self, left_out) -> None:
        if left_out:
            self.message.setText(
                f"{len(left_out)} entries left out: "
                + "; ".join(f"{Path(e).name[:60]} ({why})" for e, why in left_out[:3])
            )

    def _show(self) -> None:
        self.tracks.clear()
        for track in self.playlist.tracks:
            item = QListWidgetItem(f"{track.label}  ({_minutes(track.duration_s)})")
            item.setData(Qt.ItemDataRole.UserRole, str(track.path))
            item.setToolTip(str(track.path))
            self.tracks.addItem(item)
        self.total.setText(_minutes(self.playlist.total_duration_s))

    def _act(self, action) -> None:
        try:
            action()
            self.message.setText("")
        except (GroupKapError, OSError) as exc:
            self.message.setText(str(exc))
        self._show()

    def add_selected(self) -> None:
        row = self.library_list.currentRow()
        if row >= 0:
            self._act(lambda: self.playlist.add(self.library[row]))

    def remove_selected(self) -> None:
        self._act(lambda: self.playlist.remove(self.tracks.currentRow()))

    def move_selected(self, step: int) -> None:
        row = self.tracks.currentRow()
        self._act(lambda: self.playlist.move(row, row + step))
        self.tracks.setCurrentRow(max(0, min(len(self.playlist) - 1, row + step)))

    def save(self) -> Path | None:
        path = self.folder / f"{self.playlist.name}.m3u8"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            save_m3u(self.playlist, path)
        except (GroupKapError, OSError) as exc:
            self.message.setText(f"not saved: {exc}")
            return None
        self.message.setText(f"saved {path}; it plays from the next session")
        return path

    def _import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import playlist", "", "Playlists (*.m3u *.m3u8)"
        )
        if name:
            self.import_playlist(Path(name))

    def import_playlist(self, path: Path) -> bool:
        """Replace the list being edited by the pieces of an M3U/M3U8 file; a file that
        cannot be read changes nothing and says why. True when imported."""
        try:
            loaded = read_m3u(path)
        except (GroupKapError, OSError) as exc:
            self.message.setText(f"not imported: {exc}")
            return False
        self.playlist = Playlist(self.playlist.name, loaded.playlist.tracks)
        self._show()
        self.message.setText("")
        self._say_left_out(loaded.left_out)
        return True

    def _export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export playlist", f"{self.playlist.name}.m3u8", "Playlists (*.m3u8)"
        )
        if name:
            self._act(lambda: save_m3u(self.playlist, name))
