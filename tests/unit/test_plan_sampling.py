"""The sampling planner (flexmlff.planning.sampling): MD campaigns, their runs and relabelling
jobs."""

import math

from plan_helpers import plan_with


def test_campaign_runs_are_named_and_seeded_in_order(smoke):
    runs = smoke.sampling.campaign_runs("azobenzene", "rotation_path")
    # n_images 5: the intermediate frames 1..5 of the rotation path
    assert [r.run for r in runs] == [f"{i:02d}_rotation_f{i + 1:02d}" for i in range(5)]
    assert [r.seed for r in runs] == [301 + i for i in range(5)]
    assert smoke.sampling.start_file("azobenzene", "rotation_path", "02_rotation_f03") == (
        "results/azobenzene/paths/rotation.extxyz"
    )
    assert smoke.sampling.start_file("azobenzene", "high_T", "01_trans") == "results/azobenzene/minima/trans.extxyz"
    assert smoke.sampling.start_file("glycine", "Ip_500K", "00_Ip") == "results/glycine/minima/Ip.extxyz"
    # MD may start from an MEP too: its frames live under mep/
    assert smoke.paths.path_file("glycine", "neb") == "results/glycine/mep/neb.extxyz"
    assert smoke.paths.frame_counts("azobenzene") == {
        "rotation": 7,
        "inversion": 7,
        "rotation_inversion": 7,
        "optimised_rotation": 7,
        "optimised_rotation_paper": 7,
        "neb": 7,
        "string": 7,
    }


def test_relabelling_chunks(smoke):
    # metadynamics: 200 steps, stride 2 -> 101 frames in chunks of 40 -> 3 jobs
    assert smoke.sampling.frame_count("azobenzene", "metadynamics") == 101
    assert smoke.sampling.n_relabel_chunks("azobenzene", "metadynamics") == 3
    chunks = smoke.sampling.relabel_chunks("azobenzene", "metadynamics", "00_cis")
    assert [c.rsplit("/", 1)[1] for c in chunks] == ["chunk000.extxyz", "chunk001.extxyz", "chunk002.extxyz"]
    # a relabelled molecule's datasets read the relabelled frames
    sources = smoke.datasets.sources("rotation")
    assert all(s.endswith("/labelled.extxyz") for s in sources)
    assert len(sources) == len(smoke.datasets.source_names("rotation")) == 2 + 5 + 2 + 1
    assert smoke.datasets.source_names("rotation")[:3] == ["equilibrium", "equilibrium", "rotation_path"]
    glycine = smoke.datasets.sources("glycine")
    assert glycine == [
        "results/glycine/md/Ip_500K/00_Ip/frames.extxyz",
        "results/glycine/md/IIIp_500K/00_IIIp/frames.extxyz",
    ]


def test_relabel_chunk_count_rounds_up(smoke_config):
    plan = plan_with(smoke_config, lambda c: c["molecules"]["azobenzene"].update(relabel_chunk_frames=101))
    assert plan.sampling.n_relabel_chunks("azobenzene", "metadynamics") == 1
    plan = plan_with(smoke_config, lambda c: c["molecules"]["azobenzene"].update(relabel_chunk_frames=100))
    assert plan.sampling.n_relabel_chunks("azobenzene", "metadynamics") == math.ceil(101 / 100) == 2
