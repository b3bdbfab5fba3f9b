# Validation, the plan of the run and thin input functions (no rules here). What a config
# asks for and where every file lives is answered by flexmlff.planning, where it is unit-tested.
import json
import os
import re
import sys

# The checkout's own library, for this process and (through PYTHONPATH) every job's script.
sys.path.insert(0, os.path.join(workflow.basedir, "src"))
from flexmlff.costs import clustering_memory_mb, training_resources
from flexmlff.fitting import resumable
from flexmlff.models import families
from flexmlff.planning import DESCRIPTOR_FAMILIES, SCHEMA, Plan, validate_config
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
    path="rotation|inversion|rotation_inversion|optimised_rotation(_all|_paper)?",
    optimised=r"optimised_rotation(_all|_paper)?",
    mechanism="rotation|inversion|rotation_inversion",
    level=r"[A-Za-z0-9_\-]+",
    campaign=r"[A-Za-z0-9_\-]+",
    chunk=r"\d+",
    model=r"[A-Za-z0-9_\-]+",  # families, variants and external models (e.g. a registry's)
    n_train=r"\d+",
    fold=r"\d+",
    evaluated=r"[A-Za-z0-9_\-]+",
    start_path=r"[A-Za-z0-9_\-]+",
    frame=r"\d+",
    cutoff=r"\d+(\.\d+)?",
    step=r"\d+",
    # only the configured external models: their error files lie beside the families'
    external="|".join(re.escape(name) for name in plan.training.external_models)
    or "(?!)",


def env(name):
    """The conda env file of a stage or model family."""
    return f"{ENVS}/{name}.yaml"


def external_model_env(wildcards):
    return env(plan.external.env(wildcards.external))


def model_env(wildcards):
    return env(plan.training.model_env(wildcards.model))


def training_resource(family, name):
    """A training job's `mem_mb` or `runtime`, from flexmlff.costs' measured formula;
    family None takes the job's `model` wildcard."""
    return lambda wc, attempt: training_resources(
        plan, family or wc.model, wc.dataset, wc.n_train, attempt
    )[name]


def training_threads(family):
    """A family's cores (its ``threads``) where jobs get nodes of their own, on a cluster;
    one on this machine, where trainings run side by side, a core each."""
    return lambda wildcards: 1 if workflow.local_exec else family.threads


def cluster_resources(family):
    """What a family's training asks a cluster for beyond memory and time: SIGTERM 5 minutes
    before its time limit where its training resumes from a checkpoint (it then stops,
    keeping its last epoch, and the retry goes on from there), and a GPU, on the partition
    config ``gpu_partition`` names (set by a site's profile), where it can use one."""
    extra = {}
    if resumable(family.implementation()):
        extra["slurm_extra"] = "--signal=TERM@300"
    partition = config.get("gpu_partition")
    if family.gpu and partition:
        extra.update(slurm_partition=partition, gpu=1)
    return extra


def log_file(rule, name=""):
    return layout.log(rule, name)


def benchmark_file(rule, name):
    return layout.benchmark(rule, name)


def clustering_memory(wildcards, input):
    """Memory (MB) of a Ward tree on the dataset's frames, from its manifest's frame count."""
    with open(input.manifest) as handle:
        n_frames = json.load(handle)["n_frames"]
    return clustering_memory_mb(
        n_frames, plan.grown_sets.settings["clusters"]["max_fitted"]
    )
