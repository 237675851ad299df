"""The playlist editor: add from the library, reorder, save an M3U8 the next session plays."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QWidget

from groupkap.alarms.burst_files import ensure_bursts
from groupkap.demo.music_library import CHIME_TITLE, PIECES, demo_playlists, ensure_demo_library
from groupkap.music.playlist_files import load_m3u
from groupkap.music.room_music import clinic_playlists
from ui.music.playlist_editor import PREFERRED, PlaylistEditor, fitted_size
from ui.theme import apply_theme


def test_build_reorder_and_save_a_phase_playlist(qtbot, tmp_path):
    library = tmp_path / "library"
    ensure_demo_library(library)
    editor = PlaylistEditor([library], demo_playlists(library), folder=tmp_path / "lists")
    qtbot.addWidget(editor)
    editor.phase.setCurrentText("peak")
    before = [t.title for t in editor.playlist.tracks]
    assert before == ["Wide Horizon", "Deep Field"]
    editor.library_list.setCurrentRow(
        next(i for i, t in enumerate(editor.library) if t.title == "Homeward")
    )
    editor.add_selected()
    editor.tracks.setCurrentRow(2)
    editor.move_selected(-1)
    editor.tracks.setCurrentRow(0)
    editor.remove_selected()
    path = editor.save()
    saved, missing = load_m3u(path)
    assert [t.title for t in saved.tracks] == ["Homeward", "Deep Field"] and missing == []
    assert [t.title for t in clinic_playlists(tmp_path / "lists")["peak"].tracks] == [
        "Homeward",
        "Deep Field",
    ]
    editor.tracks.setCurrentRow(-1)
    editor.move_selected(-1)  # nothing chosen: refused with a message, nothing changes
    assert editor.message.text() and len(editor.playlist) == 2


def test_a_non_utf8_list_is_a_clear_message_not_a_crash(qtbot, tmp_path, monkeypatch):
    library = tmp_path / "library"
    ensure_demo_library(library)
    lists = tmp_path / "lists"
    lists.mkdir()
    piece = sorted(library.glob("*.wav"))[0]
    # A saved phase list and an imported one, both written by a Latin-1 player.
    (lists / "return.m3u8").write_bytes(f"#EXTM3U\n# Rückkehr\n{piece}\n".encode("latin-1"))
    foreign = tmp_path / "Ruhe.m3u8"
    foreign.write_bytes(f"#EXTM3U\n#PLAYLIST:Ruhe \xe4\n{piece}\n".encode("latin-1"))
    editor = PlaylistEditor([library], demo_playlists(library), folder=lists)
    qtbot.addWidget(editor)

    editor.phase.setCurrentText("return")  # used to raise UnicodeDecodeError's BadInputError
    assert "return.m3u8 is not UTF-8 text" in editor.message.text()
    assert [t.title for t in editor.playlist.tracks] == [
        t.title for t in demo_playlists(library)["return"].tracks
    ]

    before = list(editor.playlist.tracks)
    monkeypatch.setattr(
        "ui.music.playlist_editor.QFileDialog.getOpenFileName",
        lambda *a, **k: (str(foreign), "Playlists (*.m3u *.m3u8)"),
    )
    editor._import()
    assert editor.message.text().startswith("not imported: playlist ")
    assert "Ruhe.m3u8 is not UTF-8 text" in editor.message.text()
    assert editor.playlist.tracks == before and editor.tracks.count() == len(before)


def test_the_chime_is_never_offered_as_a_track(qtbot, tmp_path):
    library = tmp_path / "library"
    ensure_demo_library(library)  # holds the circle's chime beside the music
    ensure_bursts(library / "alarm sounds")
    editor = PlaylistEditor([library], demo_playlists(library), folder=tmp_path / "lists")
    qtbot.addWidget(editor)
    offered = [editor.library_list.item(i).text() for i in range(editor.library_list.count())]
    assert len(offered) == len(PIECES) == len(editor.library)
    assert not any(CHIME_TITLE in text or "alarm" in text for text in offered)
    assert editor.message.text() == ""  # left out quietly: they belong in that folder
    assert all(button.toolTip() for button in editor.buttons.values())


def test_the_editor_has_room_to_work_on_a_1280_by_800_screen(qtbot, qapp, tmp_path):
    apply_theme(qapp)  # its 16 px text, as the room runs it
    library = tmp_path / "library"
    ensure_demo_library(library)
    editor = PlaylistEditor([library], demo_playlists(library), folder=tmp_path / "lists")
    qtbot.addWidget(editor)
    # 1280×800 less a 40 px task bar; the window frame takes about 30 px more.
    available = QSize(1280, 760)
    size = fitted_size(available)
    assert size.width() <= 1280 and size.height() + 30 <= 760
    assert editor.minimumSizeHint().width() <= size.width()
    assert editor.minimumSizeHint().height() <= size.height()
    editor.resize(size)
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.size() == size
    inside = editor.rect()
    for child in editor.findChildren(QWidget):
        if child.isVisible() and child.parent() is editor:
            box = QRect(child.mapTo(editor, QPoint(0, 0)), child.size())
            assert inside.contains(box), f"{type(child).__name__} {box} outside {inside}"
    for view in (editor.library_list, editor.tracks):
        widest = max(
            view.fontMetrics().horizontalAdvance(view.item(i).text()) for i in range(view.count())
        )
        assert view.viewport().width() >= widest + 8  # every title whole, none elided
    # A large screen gets the preferred size, not a stretched one.
    assert fitted_size(QSize(1920, 1040)) == PREFERRED
