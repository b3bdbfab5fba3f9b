"""The paths' planner (flexmlff.planning.paths): MEPs, driven paths and the isomerisation
mechanisms."""

from plan_helpers import plan_with


def test_isomerisation_plan(smoke):
    assert smoke.paths.isomerisation_paths("azobenzene") == [
        "rotation",
        "inversion",
        "rotation_inversion",
        "optimised_rotation",
        "optimised_rotation_paper",
    ]
    points = smoke.paths.isomerisation_single_points("azobenzene")
    assert points[:3] == [
        "results/azobenzene/single_points/gfn2/minimum_cis.json",
        "results/azobenzene/single_points/gfn2/minimum_trans.json",
        "results/azobenzene/single_points/gfn2/rotation_highest.json",
    ]
    assert len(points) == 2 + 5
    assert smoke.paths.mep_outputs("glycine", "csv") == [
        "results/glycine/mep/neb.csv",
        "results/glycine/mep/string.csv",
    ]
    no_opt = plan_with(
        smoke.config,
        lambda c: c["molecules"]["azobenzene"]["isomerisation"]["optimised_rotation"].update(enabled=False),
    )
    assert "optimised_rotation" not in no_opt.paths.isomerisation_paths("azobenzene")


def test_a_driven_path_is_a_path_like_the_meps(alanine_dipeptide):
    plan = alanine_dipeptide
    assert plan.paths.table_rows("alanine_dipeptide") == ["neb", "string", "phi_psi"]
    assert (
        plan.paths.table_inputs("alanine_dipeptide", "json")[-1]
        == "results/alanine_dipeptide/driven_paths/phi_psi.json"
    )
    assert plan.paths.driven_path_settings("alanine_dipeptide", "phi_psi")["drive"] == {
        "phi": [1, 3, 4, 6],
        "psi": [3, 4, 6, 8],
    }
    assert plan.paths.driven_path_endpoints("alanine_dipeptide", "phi_psi") == {
        "start": "results/alanine_dipeptide/minima/C7eq.extxyz",
        "end": "results/alanine_dipeptide/minima/C7ax.extxyz",
    }
    # MD and Fig. 9 can start from its frames
    assert plan.paths.frame_counts("alanine_dipeptide")["phi_psi"] == 13
    assert (
        plan.paths.path_file("alanine_dipeptide", "phi_psi") == "results/alanine_dipeptide/driven_paths/phi_psi.extxyz"
    )


def test_the_optimised_rotation_comes_in_the_configured_variant_and_the_other_for_table_i(smoke, smoke_config):
    paths = smoke.paths.isomerisation_paths("azobenzene")
    assert paths[-2:] == ["optimised_rotation", "optimised_rotation_paper"]  # relax: all, compare: true
    assert smoke.paths.optimised_rotation_variants("azobenzene") == {
        "optimised_rotation": "all",
        "optimised_rotation_paper": "paper",
    }
    assert "results/azobenzene/paths/optimised_rotation_paper.csv" in smoke.paths.isomerisation_profiles("azobenzene")

    def papers(config):
        config["molecules"]["azobenzene"]["isomerisation"]["optimised_rotation"].update(relax="paper", compare=False)

    paper = plan_with(smoke_config, papers)
    assert paper.paths.optimised_rotation_variants("azobenzene") == {"optimised_rotation": "paper"}
