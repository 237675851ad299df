"""The room's device map: a monitor put on a seat is logged, remembered for the room in its
file, and logged again (restored) when the next session starts; a bad file is refused."""

from __future__ import annotations

import pytest

from groupkap.errors import BadInputError, ConfigError
from groupkap.hl7.devices import DeviceMap, devices_path

PHILIPS = "00095CFFFE0A4B11^EUI-64"
BED = "KAP^^BED2"


class Log:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict, str | None, str]] = []

    def __call__(self, kind, data, pid, actor) -> None:
        self.events.append((kind, data, pid, actor))


def test_the_path_is_the_user_config_folder_unless_the_environment_names_one(tmp_path, monkeypatch):
    monkeypatch.delenv("GROUPKAP_HL7_DEVICES", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert devices_path() == tmp_path / "cfg" / "groupkap" / "hl7_devices.toml"
    monkeypatch.setenv("GROUPKAP_HL7_DEVICES", str(tmp_path / "room.toml"))
    assert devices_path() == tmp_path / "room.toml"


def test_assigning_logs_the_device_and_seat_and_saves_the_room_map(tmp_path):
    path = tmp_path / "hl7_devices.toml"
    log = Log()
    devices = DeviceMap.load(path)
    devices.attach(log)
    assert devices.assign(PHILIPS, 4, "RN Kim") is True
    assert log.events == [
        (
            "device.assigned",
            {"device": PHILIPS, "seat": 4, "role": "monitor", "from_seat": None},
            None,
            "RN Kim",
        )
    ]
    assert devices.seat_of(PHILIPS) == 4 and devices.devices_on(4) == [PHILIPS]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Which bedside monitor feeds which seat")
    assert f'"{PHILIPS}" = 4' in text
    assert DeviceMap.load(path).mapping == {PHILIPS: 4}


def test_the_same_seat_again_changes_nothing_and_logs_nothing(tmp_path):
    log = Log()
    devices = DeviceMap.load(tmp_path / "m.toml")
    devices.attach(log)
    devices.assign(PHILIPS, 4, "RN Kim")
    assert devices.assign(PHILIPS, 4, "RN Kim") is False
    assert len(log.events) == 1


def test_moving_a_device_names_the_seat_it_came_from(tmp_path):
    log = Log()
    devices = DeviceMap.load(tmp_path / "m.toml")
    devices.attach(log)
    devices.assign(BED, 2, "RN Kim")
    devices.assign(BED, 5, "Dr Lee")
    assert log.events[-1][1] == {"device": BED, "seat": 5, "role": "monitor", "from_seat": 2}
    assert devices.devices_on(2) == [] and devices.devices_on(5) == [BED]


def test_unassigning_logs_and_forgets_it_for_the_room(tmp_path):
    path = tmp_path / "m.toml"
    log = Log()
    devices = DeviceMap.load(path)
    devices.attach(log)
    devices.assign(BED, 2, "RN Kim")
    assert devices.unassign(BED, "RN Kim") is True
    assert devices.unassign(BED, "RN Kim") is False
    assert log.events[-1] == (
        "device.unassigned",
        {"device": BED, "seat": 2, "role": "monitor"},
        None,
        "RN Kim",
    )
    assert DeviceMap.load(path).mapping == {}


def test_the_next_session_logs_the_map_it_starts_with_as_restored(tmp_path):
    path = tmp_path / "m.toml"
    first = DeviceMap.load(path)
    first.assign(PHILIPS, 1, "RN Kim")
    first.assign(BED, 2, "RN Kim")
    log = Log()
    DeviceMap.load(path).attach(log)
    assert [(k, d["device"], d["seat"], d.get("restored"), a) for k, d, _, a in log.events] == [
        ("device.assigned", PHILIPS, 1, True, "system"),
        ("device.assigned", BED, 2, True, "system"),
    ]


def test_changes_before_the_session_exists_are_logged_when_it_attaches(tmp_path):
    devices = DeviceMap()  # the demo's: this run only, never saved
    devices.assign(BED, 3, "demo")
    log = Log()
    devices.attach(log)
    assert log.events[0][0] == "device.assigned" and log.events[0][3] == "demo"
    assert devices.path is None and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "text, words",
    [
        ("[devices]\n'a' = 11\n", "seat 11 is not a seat"),
        ("[devices]\n'a' = 'two'\n", "seat 'two' is not a seat"),
        ("[seats]\n'a' = 1\n", "only a [devices] table"),
        ("devices = 3\n", "only a [devices] table"),
        ("[devices\n", "cannot read it"),
        ("[devices]\n' ' = 1\n", "a device needs its id"),
    ],
)
def test_a_bad_map_file_is_refused_naming_it(tmp_path, text, words):
    path = tmp_path / "hl7_devices.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="HL7 device map") as err:
        DeviceMap.load(path)
    assert words in str(err.value) and str(path) in str(err.value)


def test_a_seat_outside_the_room_or_an_empty_id_is_refused(tmp_path):
    devices = DeviceMap.load(tmp_path / "m.toml")
    with pytest.raises(BadInputError, match="1 to 6"):
        devices.assign(BED, 7, "RN Kim", seat_count=6)
    with pytest.raises(BadInputError, match="needs its id"):
        devices.assign("  ", 1, "RN Kim")
    assert devices.mapping == {}


def test_a_map_whose_folder_is_a_file_still_holds_for_the_session(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    devices = DeviceMap.load(blocker / "m.toml")
    devices.assign(BED, 2, "RN Kim")
    assert devices.seat_of(BED) == 2
    assert "could not be saved" in devices.save_problem
