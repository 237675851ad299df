"""The verdicts behind the alarm self-test: which libVLC outputs and devices no one hears,
and the `alarm.sound_tested` data they give."""

from __future__ import annotations

import pytest

from groupkap.alarms.output_check import (
    SelfTestResult,
    null_device_problem,
    requested_modules,
    silent_module_problem,
)


@pytest.mark.parametrize(
    "args, modules",
    [
        ([], []),
        (["--no-video", "--quiet"], []),
        (["--aout=dummy"], ["dummy"]),
        (["--aout", "pulse"], ["pulse"]),
        (["-A", "alsa"], ["alsa"]),
        (["-Aalsa"], ["alsa"]),
        (["--aout=pulse,ALSA"], ["pulse", "alsa"]),
        (["--aout=dummy", "--aout=afile"], ["afile"]),  # the last one wins, as in libVLC
    ],
)
def test_the_modules_named_in_libvlc_options(args, modules):
    assert requested_modules(args) == modules


@pytest.mark.parametrize(
    "args",
    [["--aout=dummy"], ["--aout=adummy"], ["--aout=none"], ["--aout=amem"], ["--aout=pulse,dummy"]],
)
def test_silent_outputs_are_named(args):
    problem = silent_module_problem(args)
    assert problem.startswith("the alarm sound goes to ")
    assert f"(libVLC {args[0]})" in problem
    assert problem.endswith(": no one hears the alarms")


@pytest.mark.parametrize(
    "args", [[], ["--aout=pulse"], ["--aout=alsa"], ["--aout=afile", "--audiofile-file=/tmp/a.wav"]]
)
def test_outputs_a_person_can_hear_are_not_faulted(args):
    assert silent_module_problem(args) == ""


@pytest.mark.parametrize(
    "device, description",
    [
        ("facilitator_null", "Null Output"),
        ("auto_null", "Dummy Output"),
        ("null", "Discard all samples (playback) or generate zero samples (capture)"),
    ],
)
def test_null_devices_are_named_with_their_description(device, description):
    problem = null_device_problem(device, description)
    assert problem == (
        f"the alarm output device {device!r} ({description}) is a null output "
        "that discards the sound: no one hears the alarms"
    )


def test_a_self_test_passes_only_when_every_burst_was_heard():
    heard = SelfTestResult({"low": True, "medium": True, "high": True})
    assert heard.ok
    assert heard.as_event() == {
        "low": True,
        "medium": True,
        "high": True,
        "ok": True,
        "problem": "",
    }
    one_missed = SelfTestResult(
        {"low": True, "medium": False, "high": True},
        "the medium burst did not play to its end within 5 s",
    )
    assert not one_missed.ok
    assert not SelfTestResult({}).ok  # nothing tested is no pass


def test_a_failed_result_hears_nothing_and_says_why():
    event = SelfTestResult.failed("libVLC is not installed").as_event()
    assert event == {
        "low": False,
        "medium": False,
        "high": False,
        "ok": False,
        "problem": "libVLC is not installed",
    }
