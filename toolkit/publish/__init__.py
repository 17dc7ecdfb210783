"""What the reader sees: charts, executed notebooks, the site, the classroom copies.

Modules:

- :mod:`toolkit.publish.charts`: Altair charts in one house style, rendered offline
- :mod:`toolkit.publish.build`: execute the notebooks in order, then build the site
- :mod:`toolkit.publish.site`: the explainer site in ``build/site`` with strict link checks
- :mod:`toolkit.publish.classroom`: student copies (solutions blanked, outputs cleared)
- :mod:`toolkit.publish.exercises`: the students' answer checks: a hint, never the answer

Nothing is imported until used: ``from toolkit.publish import charts`` loads Altair only,
and building needs the ``notebooks`` extra (nbclient, nbconvert, mistune).
"""
