"""The playlist editor: build each phase's playlist from the library, reorder it, save it.

Playlists are M3U8 files in the clinic's playlists folder, named after the phase they serve
(`calm`, `rising`, `peak`, `return`, or a section's own name such as `onset`); a saved list
replaces the demo's for that phase from the next session. Any M3U/M3U8 can be imported.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from groupkap.errors import GroupKapError
from groupkap.music.library import Playlist, Track, scan
from groupkap.music.playlist_files import read_m3u, save_m3u
from groupkap.music.room_music import playlists_folder

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


class PlaylistEditor(QDialog):
    """Library on the left, the chosen phase's playlist on the right.

    Attributes:
        library: the tracks found in the library folders.
        playlist: the playlist being edited.
        folder: where playlists are saved.
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
        found = scan(library_folders)
        self.library: list[Track] = found.tracks
        self.library_list = QListWidget()
        for track in self.library:
            self.library_list.addItem(f"{track.label}  ({track.duration_s / 60:.1f} min)")
        self.phase = QComboBox()
        self.phase.addItems(list(PHASE_NAMES))
        self.phase.currentTextChanged.connect(self._on_phase_changed)
        self.tracks = QListWidget()
        self.message = QLabel("; ".join(found.problems[:3]))
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Add →", self.add_selected),
            ("Remove", self.remove_selected),
            ("Up", lambda: self.move_selected(-1)),
            ("Down", lambda: self.move_selected(1)),
            ("Import M3U…", self._import),
            ("Export M3U…", self._export),
            ("Save", self.save),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        lists = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel("Library"))
        left.addWidget(self.library_list)
        right.addWidget(self.phase)
        right.addWidget(self.tracks)
        lists.addLayout(left)
        lists.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addLayout(lists)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.playlist = Playlist("calm")
        self._on_phase_changed(self.phase.currentText())

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
            item = QListWidgetItem(track.label)
            item.setData(Qt.ItemDataRole.UserRole, str(track.path))
            self.tracks.addItem(item)

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
