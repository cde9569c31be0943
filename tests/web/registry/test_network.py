"""The network page and the share download: who may use them, an upload of two shares and its
pooled analysis, refused uploads (400, nothing kept), removal, CSRF and the audit trail."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cluneal.knowledge.loader import default_pack, with_settings
from cluneal.registry.network import share
from cluneal.registry.synth import generate
from cluneal.web.audit.models import AuditEvent
from cluneal.web.registry.models import NetworkShare


def synthetic(seed: int, n: int = 400, pack=None) -> bytes:
    made = share.make(
        generate(n, seed).cohort,
        pack or default_pack(),
        label=f"Synthetic {seed}",
        min_cell=0,
        cluneal_version="0.1.0",
    )
    return share.dumps(made)


def upload(client: Client, *files: tuple[str, bytes]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    shares = [SimpleUploadedFile(name, data, "application/json") for name, data in files]
    return client.post("/registry/network/upload", {"share": shares})


LOGIN = 302
WHO = (None, "alice", "bob", "rita", "carol", "dave", "erin", "root")
# fmt: off
#  method, endpoint                          anon   alice bob  rita carol dave erin root
MATRIX = [
    ("get",  "/registry/network",               LOGIN, 403, 403, 200, 200, 200, 200, 200),
    ("get",  "/registry/share.json",            LOGIN, 403, 403, 200, 200, 200, 200, 200),
    ("get",  "/registry/network/tables/flow.csv", LOGIN, 403, 403, 404, 404, 404, 404, 404),
    ("get",  "/registry/network/figures/flow.svg", LOGIN, 403, 403, 404, 404, 404, 404, 404),
    ("get",  "/registry/network/upload",        LOGIN, 403, 403, 405, 405, 405, 405, 405),
    ("post", "/registry/network/upload",        LOGIN, 403, 403, 400, 400, 400, 400, 400),
    ("post", "/registry/network/remove",        LOGIN, 403, 403, 404, 404, 404, 404, 404),
]
# fmt: on


def _cases():
    for method, path, *outcomes in MATRIX:
        for who, status in zip(WHO, outcomes, strict=True):
            yield pytest.param(method, path, who, status, id=f"{who}-{method}-{path}")


@pytest.mark.parametrize(("method", "path", "who", "status"), list(_cases()))
def test_each_role_gets_exactly_its_outcome(cast, method, path, who, status):
    """Nobody has shares yet: the downloads of a pooled analysis are 404 for every user."""
    response = getattr(cast.client(who), method)(path)
    assert response.status_code == status
    if status == LOGIN:
        assert response["Location"].startswith("/accounts/login?next=")


def test_the_share_of_a_selection_downloads_and_is_audited(cast, exact):
    before = AuditEvent.objects.count()
    response = cast.client("dave").get(f"/registry/share.json?site={cast.site_b.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cluneal-share-')
    data = json.loads(response.content)
    assert data["installation"] == "Site B" and data["patients"] == 6
    assert data["digest"] == share.digest(data)
    (event,) = AuditEvent.objects.order_by("id")[before:]
    assert (event.action, event.site, event.actor) == ("export", cast.site_b, "dave")
    assert event.changes["share"] == data["digest"]


def test_a_share_withholds_small_counts_even_for_an_administrator(cast, settings):
    settings.CLUNEAL_REGISTRY_MIN_CELL = 5
    data = json.loads(cast.client("carol").get("/registry/share.json").content)
    assert data["min_cell"] == 5 and data["patients"] is None  # site A has 3 patients


def test_a_bad_filter_is_refused_naming_the_field(cast):
    response = cast.client("rita").get("/registry/share.json?from=2025-02-30")
    assert response.status_code == 400
    assert response.content.decode().startswith("Bad filter: from:")


def test_the_registry_page_links_to_the_share_and_the_network(cast):
    page = cast.client("carol").get("/registry/").content.decode()
    assert 'id="share-link"' in page and "/registry/share.json?" in page
    assert 'href="/registry/network"' in page


def test_two_shares_uploaded_show_their_pooled_analysis(cast):
    rita = cast.client("rita")
    assert "No share yet" in rita.get("/registry/network").content.decode()
    response = upload(rita, ("one.json", synthetic(1)), ("two.json", synthetic(2)))
    assert response.status_code == 303 and response["Location"] == "/registry/network"
    page = rita.get("/registry/network")
    text = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Synthetic 1" in text and "Synthetic 2" in text
    for name in ("forest_scn", "km_block", "km_block_installations", "forest_e6"):
        assert f'id="figure-{name}"' in text, name
    assert 'id="e6-verdict"' in text and "Mantel-Haenszel odds ratio" in text
    assert " style=" not in text.split("<main", 1)[1]
    flow = rita.get("/registry/network/tables/flow.csv").content.decode()
    assert flow.startswith("step,definition,scn_n")
    svg = rita.get("/registry/network/figures/forest_scn.svg")
    assert svg.status_code == 200 and svg.content.startswith(b"<?xml")
    events = AuditEvent.objects.filter(action="create", changes__registry="network")
    assert {e.changes["installation"] for e in events} == {"Synthetic 1", "Synthetic 2"}


def test_shares_are_seen_by_their_owner_only(cast):
    upload(cast.client("rita"), ("one.json", synthetic(1)))
    assert NetworkShare.objects.filter(owner=cast.users["rita"]).count() == 1
    dave = cast.client("dave")
    assert "No share yet" in dave.get("/registry/network").content.decode()
    assert dave.get("/registry/network/tables/flow.csv").status_code == 404
    digest = NetworkShare.objects.get().digest
    assert dave.post("/registry/network/remove", {"digest": digest}).status_code == 404
    assert NetworkShare.objects.count() == 1


def test_a_share_is_removed_by_its_owner(cast):
    rita = cast.client("rita")
    upload(rita, ("one.json", synthetic(1)))
    digest = NetworkShare.objects.get().digest
    response = rita.post("/registry/network/remove", {"digest": digest})
    assert response.status_code == 303 and not NetworkShare.objects.exists()
    assert AuditEvent.objects.filter(action="delete", changes__share=digest).exists()


def test_an_edited_share_is_refused_and_nothing_is_kept(cast):
    data = json.loads(synthetic(1))
    data["flow"]["scn"]["operated"] += 5
    response = upload(
        cast.client("rita"), ("good.json", synthetic(2)), ("edited.json", json.dumps(data).encode())
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "edited.json: digest: does not match the content" in text
    assert not NetworkShare.objects.exists()


def test_a_share_of_another_block_definition_is_refused(cast):
    rita = cast.client("rita")
    upload(rita, ("one.json", synthetic(1)))
    other = with_settings(default_pack(), {"block_definition": "kiral2024"})
    response = upload(rita, ("kiral.json", synthetic(2, pack=other)))
    assert response.status_code == 400
    assert "kiral.json: definitions.block_definition is" in response.content.decode()
    assert NetworkShare.objects.count() == 1


def test_not_json_too_large_and_no_file_are_refused(cast, settings):
    rita = cast.client("rita")
    response = upload(rita, ("notes.txt", b"Patient Zebulon, MRN 88172634"))
    assert response.status_code == 400 and "notes.txt: not a JSON file" in response.content.decode()
    response = rita.post("/registry/network/upload", {})
    assert (
        response.status_code == 400
        and "choose one or more share files" in response.content.decode()
    )
    from cluneal.web.registry import network

    big = b" " * (network.MAX_REQUEST_BYTES + 1)
    response = upload(rita, ("big.json", big))
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert not NetworkShare.objects.exists()


def test_uploads_need_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["rita"])
    assert upload(client, ("one.json", synthetic(1))).status_code == 403
    assert not NetworkShare.objects.exists()
