# Validation, the plan of the run and thin input functions (no rules here). What a config
# asks for and where every file lives is answered by flexmlff.plan, where it is unit-tested.
import json
import os
import sys

# The checkout's own library, for this process and (through PYTHONPATH) every job's script.
sys.path.insert(0, os.path.join(workflow.basedir, "src"))
from flexmlff.costs import clustering_memory_mb, training_resources
from flexmlff.plan import SCHEMA, Plan
from flexmlff.plan_checks import DESCRIPTOR_FAMILIES, validate_config
from flexmlff.runlog import share_library_with_jobs
from flexmlff.scratch import share_job_folders_with_jobs

share_library_with_jobs()

validate_config(config, SCHEMA)

plan = Plan(config, basedir=workflow.basedir)
layout = plan.layout
# every job's temporary files under the results tree (unless the site names a place), and
# the trainings' checkpoints there too
share_job_folders_with_jobs(layout.scratch(), layout.checkpoints())
ENVS = "../../envs"


wildcard_constraints:
    molecule=r"[A-Za-z0-9_\-]+",
    dataset=r"[A-Za-z0-9_\-]+",
    minimum=r"[A-Za-z0-9_\-]+",
    run=r"[A-Za-z0-9_\-]+",
    method="neb|string",
    path="rotation|inversion|rotation_inversion|optimised_rotation",
    mechanism="rotation|inversion|rotation_inversion",
    level=r"[A-Za-z0-9_\-]+",
    campaign=r"[A-Za-z0-9_\-]+",
    chunk=r"\d+",
    model=r"[a-z0-9_]+",
    n_train=r"\d+",
    fold=r"\d+",
    evaluated=r"[A-Za-z0-9_\-]+",
    start_path=r"[A-Za-z0-9_\-]+",
    frame=r"\d+",
    cutoff=r"\d+(\.\d+)?",
    step=r"\d+",


def env(name):
    """The conda env file of a stage or model family."""
    return f"{ENVS}/{name}.yaml"


def model_env(wildcards):
    return env(plan.model_env(wildcards.model))


def training_resource(family, name):
    """A training job's `mem_mb` or `runtime`, from flexmlff.costs' measured formula;
    family None takes the job's `model` wildcard."""
    return lambda wc, attempt: training_resources(
        plan, family or wc.model, wc.dataset, wc.n_train, attempt
    )[name]


def log_file(rule, name=""):
    return layout.log(rule, name)


def benchmark_file(rule, name):
    return layout.benchmark(rule, name)


def clustering_memory(wildcards, input):
    """Memory (MB) of a Ward tree on the dataset's frames, from its manifest's frame count."""
    with open(input.manifest) as handle:
        n_frames = json.load(handle)["n_frames"]
    return clustering_memory_mb(n_frames, plan.optimisation["clusters"]["max_fitted"])
