"""flexmlff: benchmark machine-learning force fields on flexible molecules.

The science of the workflow lives here, in small functions that the Snakemake
scripts call: internal coordinates (:mod:`geometry`), reference calculators
(:mod:`calculators`), minima and minimum-energy paths (:mod:`mep`), the driven
azobenzene isomerisation paths (:mod:`azobenzene_paths`), i-PI molecular
dynamics (:mod:`sampling`), datasets (:mod:`data`), training subsets and
cross-validation folds (:mod:`splits`), models (:mod:`models`), errors and model
selection (:mod:`evaluate`), the paper's published numbers (:mod:`paper`) and
figures (:mod:`plots`). Above them, :mod:`plan` answers what a config asks the
workflow to do and :mod:`layout` where every output lives.

Units: every dataset, table and figure uses Å, kcal/mol and kcal/(mol Å), as the
paper does. ASE works in eV; :mod:`flexmlff.units` converts at that boundary.
"""

__version__ = "0.1.0"
