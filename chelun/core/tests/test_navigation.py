"""chelun.core.navigation: kinds of work answered by the app that owns them."""

from __future__ import annotations

import pytest

from chelun.core import navigation


@pytest.fixture
def probes(monkeypatch):
    monkeypatch.setattr(navigation, "_PROBES", {})
    return navigation


def test_unregistered_work_is_work_nobody_does(probes):
    assert probes.does_work(object(), "ferry_pilot") is False


def test_registered_probe_answers(probes):
    probes.register_work("ferry_pilot", lambda user: user == "li")
    assert probes.does_work("li", "ferry_pilot") is True
    assert probes.does_work("wang", "ferry_pilot") is False


def test_same_probe_again_is_a_no_op_and_another_is_refused(probes):
    def probe(user):
        return True

    probes.register_work("ferry_pilot", probe)
    probes.register_work("ferry_pilot", probe)
    with pytest.raises(ValueError, match="ferry_pilot"):
        probes.register_work("ferry_pilot", lambda user: False)
    assert probes.does_work(None, "ferry_pilot") is True
