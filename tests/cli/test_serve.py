"""``cluneal serve`` prepares each worker before its first request."""

from __future__ import annotations

import gc

from cluneal.cli import serve
from cluneal.interop.fhir_codes import CodeIndex
from cluneal.knowledge.loader import active_pack
from cluneal.nlp import pipeline as notes_pipeline


def test_a_worker_is_warmed_and_its_startup_objects_frozen(settings):
    settings.CLUNEAL_CDS_NOTES_MAX_BYTES = 1_000
    threshold = gc.get_threshold()
    try:
        serve.worker_ready(None)
        assert gc.get_threshold() == serve.GC_THRESHOLD
        assert gc.get_freeze_count() > 0
        pack = active_pack()
        assert id(pack) in CodeIndex._built
        assert (pack.origin, pack.name, pack.version) in notes_pipeline._built
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_gunicorn_takes_every_option_and_makes_no_control_socket(monkeypatch):
    from gunicorn.config import Config

    monkeypatch.setenv("CLUNEAL_FORWARDED_ALLOW_IPS", "10.0.0.1")
    config = Config()
    for key, value in serve.gunicorn_options("127.0.0.1", 8123, 3, 4).items():
        config.set(key, value)  # an unknown setting raises AttributeError
    assert config.control_socket_disable is True
    assert (config.bind, config.workers, config.threads) == (["127.0.0.1:8123"], 3, 4)
    assert config.worker_class_str == "gthread"
    assert config.forwarded_allow_ips == ["10.0.0.1"]
