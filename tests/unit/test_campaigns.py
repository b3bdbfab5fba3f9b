import pytest

from flexmlff.campaigns import expand_starts

MINIMA = ["cis", "trans"]
PATHS = {"rotation": 17, "inversion": 17}


def test_minima_and_single_frames_get_numbered_runs_and_seeds():
    runs = expand_starts(["cis", "trans", "cis", "inversion:7"], MINIMA, PATHS, seed=500)
    assert [r.run for r in runs] == ["00_cis", "01_trans", "02_cis", "03_inversion_f07"]
    assert [r.seed for r in runs] == [500, 501, 502, 503]
    assert runs[0].frame is None and (runs[3].source, runs[3].frame) == ("inversion", 7)


def test_a_path_name_starts_from_every_intermediate_frame():
    runs = expand_starts(["rotation"], MINIMA, PATHS, seed=1)
    assert [r.frame for r in runs] == list(range(1, 16))  # 15 images between the minima
    assert runs[-1].run == "14_rotation_f15"


def test_bad_starts_are_named():
    with pytest.raises(ValueError, match="'rotation:17'.*frames 0…16"):
        expand_starts(["rotation:17"], MINIMA, PATHS, seed=1)
    with pytest.raises(ValueError, match="'twist' names no minimum or path"):
        expand_starts(["twist"], MINIMA, PATHS, seed=1)
    with pytest.raises(ValueError, match="'cis:3'"):
        expand_starts(["cis:3"], MINIMA, PATHS, seed=1)
