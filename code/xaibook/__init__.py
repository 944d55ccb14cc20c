"""xaibook: the tested code behind *Explainable Machine Learning Models*.

One module per explanation method, named by its key (CONTRIBUTING.md has the module map):

``overview``        chapter 1: outcome rates with Wilson intervals; the book's map of methods
``glassbox``        chapter 2: logistic coefficients, tree rules, GAM shapes, the what-if (a package)
``importance``      chapter 3: permutation, grouped and drop-column importance
``dependence``      chapter 4: PDP, ICE, two-way PDP, ALE and the H statistic
``shapley``         chapter 5: exact, sampling and Kernel SHAP, the TreeSHAP adapter
``surrogate``       chapter 6: LIME for tables, text and images (named so it never shadows ``lime``)
``counterfactual``  chapter 7: counterfactual search with actionability constraints, and its metrics
``agreement``       chapters 8 and 9: how much explanations agree (Krishna et al. 2022)
``adversarial``     chapter 8: the scaffolding attack on LIME and SHAP (Slack et al. 2020)
``reasons``         chapter 10: reason codes for adverse-action notices
``scale``           the appendix: the row-wise methods on a Dask cluster, results independent of the partitioning

and the infrastructure they share:

``data``            the bundled case-study datasets and their data dictionaries
``models``          the reproducible model zoo and its cache
``predict``         a fitted model (or a function) as ``f(X) -> one number per row``
``pipeline``        pipeline introspection: split, transform, raw feature of each column
``evaluation``      model metrics (paired AUC difference, calibration error)
``charts``          Altair chart builders (``charts.<key>``) and the book's theme
``exercises``       the exercise checkers (``exercises.<key>``)
``notebook``        ``glue`` for numbers in the prose
``render``          offline rendering of charts (text/html + PNG fallback, data tables)
``tables``          accessible HTML for the DataFrames a chapter shows
``sphinxext``       Sphinx extension: offline Vega and MathJax, cache invalidation
``fingerprint``     what counts as a change of the package for cached outputs
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
