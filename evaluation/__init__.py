"""Offline evaluation of shopgraph: protocols, reference scorers, baselines and attacks.

Everything here measures the library; none of it serves shoppers. Benchmarks, the
``shopgraph eval`` and ``shopgraph attack`` commands and the tests import it; the library
(:mod:`shopgraph.graph`, :mod:`shopgraph.gnn`, :mod:`shopgraph.loaders`) never does.

- :mod:`~shopgraph.evaluation.bundle_protocol`: the offline protocol of "frequently bought
  together" bundles on UCI Online Retail, and its metrics;
- :mod:`~shopgraph.evaluation.bundles`: the Python reference of the co-purchase score that
  the ``shopgraph.bundle`` procedure serves;
- :mod:`~shopgraph.evaluation.bundle_baselines`: classic bundle baselines;
- :mod:`~shopgraph.evaluation.bundle_eval`: the served bundles against the baselines;
- :mod:`~shopgraph.evaluation.blend`: a blend of two rankers' standardised scores;
- :mod:`~shopgraph.evaluation.attacks`: shilling and cart-stuffing attack generators.
"""
