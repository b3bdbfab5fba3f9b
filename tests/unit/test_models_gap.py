from flexmlff.models import family


def test_gap_command_carries_the_paper_settings():
    command = " ".join(family("gap").gap_command({}, n_train=100, at_file="train.xyz", force_sigma=0.05)[1:])
    for setting in (
        "cutoff=5.0",
        "n_max=12",
        "l_max=6",
        "atom_sigma=0.3",
        "zeta=2",
        "delta=0.25",
        "covariance_type=dot_product",
        "sparse_method=cur_points",
        "default_sigma={0.001 0.05 0 0}",
        "e0_method=average",
    ):
        assert setting in command
