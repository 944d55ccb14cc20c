"""xaibook: the tested code behind *Explainable Machine Learning Models*.

One module per method (see the book's design notes in the repository README):

``data``            the bundled case-study datasets and their data dictionaries
``models``          the reproducible model zoo
``charts``          Altair chart builders and the book's theme
``render``          offline rendering of charts (text/html + PNG fallback, data tables)
``tables``          accessible HTML for the DataFrames a chapter shows
``sphinxext``       Sphinx extension: offline Vega and MathJax, cache invalidation
``fingerprint``     what counts as a change of the package for cached outputs
"""

__version__ = "0.1.0"
