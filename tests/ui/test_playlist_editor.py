"""The playlist editor: add from the library, reorder, save an M3U8 the next session plays."""

from __future__ import annotations

from groupkap.demo.music_library import demo_playlists, ensure_demo_library
from groupkap.music.playlist_files import load_m3u
from groupkap.music.room_music import clinic_playlists
from ui.music.playlist_editor import PlaylistEditor


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
